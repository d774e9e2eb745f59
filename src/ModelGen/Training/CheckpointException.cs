namespace ModelGen.Training;

/// <summary>The checkpoints of a run cannot be resumed; the message names the file and says how to start fresh.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
