using ModelGen.Onnx;
using static TorchSharp.torch;

namespace ModelGen.TestHost;

/// <summary>Imports and runs one ONNX graph as a backbone would, and says how it ended.</summary>
internal static class HostileOnnx
{
    public static string Import(string path)
    {
        try
        {
            var model = OnnxFile.Load(path);
            var shape = model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
            using var module = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
            module.eval();
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            module.forward(zeros(shape));
            return "ran";
        }
        catch (OnnxImportException e)
        {
            return "refused " + e.Message.ReplaceLineEndings(" ");
        }
        catch (Exception e)
        {
            return $"escaped {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }
}
