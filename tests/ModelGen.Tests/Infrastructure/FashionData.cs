namespace ModelGen.Tests.Infrastructure;

/// <summary>The real Fashion-MNIST images kept in the repository (examples/FashionMnist/data, MIT licence).</summary>
internal static class FashionData
{
    public static string Root => Path.Combine(Repository.Root, "examples", "FashionMnist", "data");

    public static string Train => Path.Combine(Root, "train");

    public static string Validation => Path.Combine(Root, "val");

    public static string Test => Path.Combine(Root, "test");

    public static IReadOnlyList<string> Classes { get; } = ["ankle-boot", "bag", "coat", "dress", "pullover", "sandal", "shirt", "sneaker", "trouser", "tshirt-top"];

    /// <summary>A new folder with the first <paramref name="perClass"/> images of each class of <paramref name="split"/>.</summary>
    public static string Subset(string split, int perClass, string into)
    {
        foreach (var label in Classes)
        {
            var target = Directory.CreateDirectory(Path.Combine(into, label)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(split, label)).Order(StringComparer.Ordinal).Take(perClass))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return into;
    }
}
