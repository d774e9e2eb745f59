namespace ModelGen.Storage;

/// <summary>A <see cref="ChecksummedFile"/> cannot be used: the file, what is wrong (<see cref="Problem"/>) and a reason that says what was found.</summary>
internal sealed class ChecksummedFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What kind of problem it is.</param>
    /// <param name="reason">A clause to follow the file's name, such as "its checksum does not match its content".</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public ChecksummedFileException(string path, FileProblem problem, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Problem = problem;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What kind of problem it is.</summary>
    public FileProblem Problem { get; }

    /// <summary>What was found, as a clause ("it was saved by an older ModelGen (format MGMODEL1)").</summary>
    public string Reason { get; }
}
