namespace ModelGen.Storage;

/// <summary>Why a <see cref="ChecksummedFile"/> cannot be used; each format turns it into its own advice.</summary>
internal enum FileProblem
{
    /// <summary>The file cannot be opened or read (missing, no permission, an I/O error).</summary>
    Unreadable,

    /// <summary>Not a file of the expected kind: another file, or a ModelGen file of another kind.</summary>
    NotThisFormat,

    /// <summary>Written by an older ModelGen in a layout this one does not read.</summary>
    OlderFormat,

    /// <summary>Written by a newer ModelGen.</summary>
    NewerFormat,

    /// <summary>Truncated, altered, or with lengths that do not fit the file: never read as data.</summary>
    Damaged,
}
