namespace ModelGen.Data;

/// <summary>An image folder does not have the layout a model needs; the message says what was found and what is expected.</summary>
public sealed class ImageFolderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageFolderException(string message)
        : base(message)
    {
    }
}
