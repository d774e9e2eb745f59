namespace ModelGen.Data;

/// <summary>One image file of an image folder, with its class index and what identifies its content for caching.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Label">The class index.</param>
/// <param name="Length">File size in bytes.</param>
/// <param name="LastWriteTicks">Last modification time (UTC ticks).</param>
internal sealed record ImageSample(string Path, int Label, long Length, long LastWriteTicks);
