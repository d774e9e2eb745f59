namespace ModelGen.Data;

/// <summary>An image could not be read: missing, not an image, damaged, or too large. The message names the file.</summary>
public sealed class ImageLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageLoadException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
