using Google.Protobuf;
using Onnx;

namespace ModelGen.Onnx;

/// <summary>Reads ONNX model files defensively (size limit, parse errors as clear messages).</summary>
internal static class OnnxFile
{
    /// <summary>ONNX files larger than this are refused (protobuf itself stops at 2 GB).</summary>
    public const long MaxBytes = 2L << 30;

    /// <summary>Parses an ONNX model file.</summary>
    /// <exception cref="OnnxImportException">The file is missing, too large, or not an ONNX model.</exception>
    public static ModelProto Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new OnnxImportException($"The ONNX file {path} does not exist.");
        }

        if (info.Length == 0 || info.Length >= MaxBytes)
        {
            throw new OnnxImportException($"The ONNX file {path} is {info.Length:N0} bytes; ONNX files hold 1 byte to 2 GB.");
        }

        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxImportException($"{path} is not a readable ONNX model (damaged or truncated?): {e.Message}", e);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new OnnxImportException($"{path} holds no ONNX graph.");
        }

        if (model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            throw new OnnxImportException($"{path} keeps its weights in external files, which ModelGen does not read; save the model with the weights inside.");
        }

        return model;
    }
}
