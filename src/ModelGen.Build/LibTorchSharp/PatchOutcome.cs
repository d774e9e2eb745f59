namespace ModelGen.Build.LibTorchSharp;

/// <summary>What the GLIBCXX_3.4.32 fix decided for one library.</summary>
public enum PatchOutcome
{
    /// <summary>The requirement was marked weak.</summary>
    Patched,

    /// <summary>The requirement was already weak; the file was left as it was.</summary>
    AlreadyPatched,

    /// <summary>Nothing to do: the library does not need the version, or the system provides it.</summary>
    NotNeeded,

    /// <summary>The fix would not be safe (or the file could not be read); the file was left as it was.</summary>
    Refused,
}
