namespace ModelGen.Weights;

/// <summary>A weights file is missing, unreadable, or does not fit the backbone; the message says which and what to do.</summary>
public sealed class WeightsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
