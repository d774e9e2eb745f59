namespace ModelGen.Onnx;

/// <summary>An ONNX graph cannot be imported: unreadable file, unsupported operator, missing tensor. The message names the node.</summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxImportException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
