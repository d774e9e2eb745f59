namespace ModelGen.Storage;

/// <summary>One kind of file kept in a <see cref="ChecksummedFile"/>: saved models, feature cache entries, checkpoints, best weights.</summary>
/// <param name="Kind">Four ASCII letters or digits stored in every file of the kind, so that one kind is never read as another.</param>
/// <param name="Version">The version of the kind's header and sections that this ModelGen writes and reads.</param>
/// <param name="Name">How messages name a file of the kind ("model file").</param>
/// <param name="LegacyMagics">
/// The first eight bytes of the kind's files from before the container, recognised so that such a file is
/// reported as saved by an older ModelGen rather than as not a ModelGen file.
/// </param>
internal sealed record FileFormat(string Kind, int Version, string Name, params string[] LegacyMagics);
