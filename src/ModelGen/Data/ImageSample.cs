namespace ModelGen.Data;

/// <summary>One image file of an image folder or manifest, with its target and what identifies its content for caching.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Label">The class index (classification; 0 for the other tasks).</param>
/// <param name="Length">File size in bytes.</param>
/// <param name="LastWriteTicks">Last modification time (UTC ticks).</param>
/// <param name="Targets">
/// Multi-label: 1 or 0 per label (multi-hot); regression: one number per target; null for classification, whose target is <paramref name="Label"/>.
/// </param>
internal sealed record ImageSample(string Path, int Label, long Length, long LastWriteTicks, float[]? Targets = null)
{
    /// <summary>The target as the text of a cache key: the class index, or the numbers in the invariant culture.</summary>
    public string TargetText => Targets is null
        ? Label.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : string.Join(";", Targets.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
