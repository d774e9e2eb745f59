namespace ModelGen.Storage;

/// <summary>A binary section of a <see cref="ChecksummedFile"/> to write: its tag and what writes its bytes.</summary>
/// <param name="Tag">Four ASCII letters or digits that name the section, unique in the file (not <c>HEAD</c>, which is the JSON header's).</param>
/// <param name="Write">
/// Writes the section's bytes to the stream it is given (which hashes and counts them on the way to the
/// file); it may wrap or dispose that stream, and must flush whatever it buffers before returning.
/// </param>
internal sealed record FileSection(string Tag, Action<Stream> Write);
