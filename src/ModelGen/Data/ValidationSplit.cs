using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModelGen.Data;

/// <summary>
/// Which training images <c>training.validation_split</c> holds out when <c>Train</c> gets no validation data. The
/// rule, per class: each image gets a rank, the first 8 bytes (big-endian) of the SHA-256 of
/// "<c>{seed}/{class}/{file name}</c>" in UTF-8; the <c>round(n · split)</c> images of the class's n with the smallest
/// ranks are held out (rounded to the nearest, halves to even; equal ranks by the full path, ordinal). So the split
/// depends only on the seed, the class and the file names in it: not on the order the files are listed in, not on
/// the other classes (adding or removing images elsewhere changes nothing in this class), and adding one image to a
/// class moves at most one other image of it between the parts. Features without their images' paths (a
/// <see cref="FeatureSet"/> made by hand) rank by their position in the class instead, "#0", "#1", ...
/// </summary>
internal static class ValidationSplit
{
    /// <summary>The kept and the held-out indexes of <paramref name="labels"/>, each in ascending order.</summary>
    /// <param name="labels">Each sample's class index.</param>
    /// <param name="paths">Each sample's image path; null to rank by position within the class.</param>
    /// <param name="classes">The class names, by index.</param>
    /// <param name="split">The fraction held out, above 0 and below 1.</param>
    /// <param name="seed">The run's seed.</param>
    public static (List<int> Kept, List<int> Held) HoldOut(IReadOnlyList<int> labels, IReadOnlyList<string>? paths, IReadOnlyList<string> classes, double split, int seed)
    {
        var held = new List<int>();
        var kept = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]))
        {
            var className = group.Key >= 0 && group.Key < classes.Count ? classes[group.Key] : group.Key.ToString(CultureInfo.InvariantCulture);
            var ranked = group
                .Select((index, position) => (Index: index, Path: paths?[index] ?? "#" + position.ToString(CultureInfo.InvariantCulture)))
                .Select(s => (s.Index, s.Path, Rank: Rank(seed, className, Path.GetFileName(s.Path))))
                .OrderBy(s => s.Rank)
                .ThenBy(s => s.Path, StringComparer.Ordinal)
                .Select(s => s.Index)
                .ToList();
            var take = (int)Math.Round(ranked.Count * split);
            held.AddRange(ranked.Take(take));
            kept.AddRange(ranked.Skip(take));
        }

        held.Sort();
        kept.Sort();
        return (kept, held);
    }

    /// <summary>An image's rank in its class: the first 8 bytes of SHA-256("{seed}/{class}/{file name}").</summary>
    internal static ulong Rank(int seed, string className, string fileName)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{seed}/{className}/{fileName}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
