namespace ModelGen;

/// <summary>A saved model file is missing, damaged, or belongs to a different model.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
