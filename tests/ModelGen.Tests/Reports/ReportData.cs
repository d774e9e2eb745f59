using System.Text.RegularExpressions;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Reports;

/// <summary>Image folders for report tests: real Fashion-MNIST images, with class and file names that are hostile HTML.</summary>
internal static class ReportData
{
    /// <summary>A class folder name that runs script if a page writes it unescaped (a folder name cannot hold '/').</summary>
    public const string HostileFolder = "<img src=x onerror=alert(1)>";

    /// <summary>A file name that ends an attribute and opens a tag if written unescaped.</summary>
    public const string HostileFile = "a\"b<c.png";

    /// <summary>
    /// <paramref name="perClass"/> images of each class of <paramref name="split"/> in <paramref name="into"/>, with the
    /// first class's folder named <see cref="HostileFolder"/> and its first file <see cref="HostileFile"/>.
    /// </summary>
    public static string Hostile(string split, int perClass, string into)
    {
        FashionData.Subset(split, perClass, into);
        var renamed = Path.Combine(into, HostileFolder);
        Directory.Move(Path.Combine(into, FashionData.Classes[0]), renamed);
        var first = Directory.GetFiles(renamed).Order(StringComparer.Ordinal).First();
        File.Move(first, Path.Combine(renamed, HostileFile));
        return into;
    }

    /// <summary>The src and href values in a page's tags that are not inline PNGs or in-page anchors.</summary>
    public static IReadOnlyList<string> ExternalReferences(string html) =>
        Regex.Matches(html, "<[a-zA-Z][^>]*>")
            .SelectMany(tag => Regex.Matches(tag.Value, "\\s([a-zA-Z-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))")) // attribute by attribute, so a quoted value is never searched
            .Where(m => m.Groups[1].Value.Equals("src", StringComparison.OrdinalIgnoreCase) || m.Groups[1].Value.Equals("href", StringComparison.OrdinalIgnoreCase))
            .Select(m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Value)
            .Where(value => !value.StartsWith("data:image/png;base64,", StringComparison.Ordinal) && !value.StartsWith('#'))
            .ToList();
}
