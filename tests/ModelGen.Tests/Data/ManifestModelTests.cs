using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// A manifest wherever a data folder is accepted (contract section 5): a generated classifier extracts, trains and
/// evaluates from CSV/TSV files of real Fashion-MNIST images as it does from folders, and counts a bad row as skipped.
/// </summary>
public sealed class ManifestModelTests
{
    [Fact]
    public void AGeneratedClassifier_ExtractsTrainsAndEvaluatesFromManifests_AsFromFolders()
    {
        using var temp = new TempFolder();
        // Paths in a manifest stay inside its folder: the images are copied under it.
        var train = Manifest(FashionData.Subset(FashionData.Train, 30, temp["images/train"]), temp["train.csv"], ',', extraRow: "missing/none.png,bag");
        var validation = Manifest(FashionData.Subset(FashionData.Validation, 10, temp["images/val"]), temp["val.csv"], ',');
        var test = Manifest(FashionData.Subset(FashionData.Test, 20, temp["images/test"]), temp["test.tsv"], '\t');
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        using var model = FashionImbalanced.Create(options);

        using var features = model.Extract(train);
        var history = model.Train(train, validation, new TrainOptions { Progress = ProgressMode.None, OutputDirectory = temp["out"] }); // the image path, phases and all
        var fromManifest = model.Evaluate(test);
        var fromFolder = model.Evaluate(temp["images/test"]);

        Assert.Equal(300, features.Count);
        Assert.Equal(1, features.Skipped); // the row whose image does not exist
        Assert.Equal(fromFolder.Accuracy, fromManifest.Accuracy);
        Assert.Equal(fromFolder.Loss, fromManifest.Loss, 5);
        Assert.True(fromManifest.Accuracy > 0.5, $"test accuracy {fromManifest.Accuracy:0.000} (chance 0.1)");
        Assert.All(history.Epochs, e => Assert.NotNull(e.ValLoss)); // the validation manifest beside the training one validates: it is not a held-out split
    }

    // A manifest of every image of an image folder, paths relative to the manifest.
    private static string Manifest(string folder, string path, char separator, string? extraRow = null)
    {
        var root = Path.GetDirectoryName(path)!;
        var lines = new List<string> { $"path{separator}label" };
        foreach (var label in FashionData.Classes)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(folder, label)).Order(StringComparer.Ordinal))
            {
                lines.Add($"{Path.GetRelativePath(root, file)}{separator}{label}");
            }
        }

        if (extraRow is not null)
        {
            lines.Add(extraRow.Replace(',', separator));
        }

        File.WriteAllLines(path, lines);
        return path;
    }
}
