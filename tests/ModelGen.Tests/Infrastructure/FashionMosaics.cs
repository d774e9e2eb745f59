using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// A multi-label set made of real Fashion-MNIST images (issue 14): 2x2 mosaics of four images drawn at random (seeded)
/// from a split, each labelled with the classes present, listed in a manifest (path,labels) beside them.
/// </summary>
internal static class FashionMosaics
{
    /// <summary>Writes <paramref name="count"/> mosaics of images of <paramref name="split"/> under <paramref name="into"/>; returns the manifest's path.</summary>
    public static string Build(string split, int count, int seed, string into)
    {
        var sources = FashionData.Classes
            .SelectMany(label => Directory.GetFiles(Path.Combine(split, label)).Order(StringComparer.Ordinal).Select(file => (File: file, Label: label)))
            .ToArray();
        var random = new Random(seed);
        Directory.CreateDirectory(Path.Combine(into, "images"));
        var lines = new List<string> { "path,labels" };
        for (var i = 0; i < count; i++)
        {
            var tiles = Enumerable.Range(0, 4).Select(_ => sources[random.Next(sources.Length)]).ToArray();
            using var mosaic = new Image<L8>(56, 56);
            for (var t = 0; t < 4; t++)
            {
                using var tile = Image.Load<L8>(tiles[t].File);
                tile.Mutate(x => x.Resize(28, 28));
                mosaic.Mutate(x => x.DrawImage(tile, new Point(t % 2 * 28, t / 2 * 28), 1f));
            }

            var name = $"images/mosaic{i:D4}.png";
            mosaic.SaveAsPng(Path.Combine(into, name));
            lines.Add($"{name},{string.Join(';', tiles.Select(x => x.Label).Distinct().Order(StringComparer.Ordinal))}");
        }

        var manifest = Path.Combine(into, "mosaics.csv");
        File.WriteAllLines(manifest, lines);
        return manifest;
    }

    /// <summary>
    /// The mean average precision of scores that know nothing: a label's expected AP is then its share of positive
    /// images, so chance is the mean prevalence over the labels that have positives ([N, K] multi-hot rows).
    /// </summary>
    public static double ChanceMeanAveragePrecision(float[] targets, int labelCount)
    {
        var count = targets.Length / labelCount;
        var prevalences = Enumerable.Range(0, labelCount)
            .Select(k => Enumerable.Range(0, count).Count(i => targets[i * labelCount + k] == 1) / (double)count)
            .Where(p => p > 0)
            .ToList();
        return prevalences.Average();
    }
}
