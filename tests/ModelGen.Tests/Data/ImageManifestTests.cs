using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// Manifests (CSV/TSV) wherever an image folder is accepted: each task's header and targets, every kind of bad row
/// logged with the file and row and counted as skipped, quoting, and the targets as the batches carry them.
/// </summary>
public sealed class ImageManifestTests
{
    private static readonly string[] Labels = ["bag", "coat", "shirt"];

    [Fact]
    public void AClassificationManifest_GivesEachImageItsClass_AsAFolderDoes()
    {
        using var folder = new TempFolder();
        var (bag, coat) = (Copy(folder, "bag", 0, "images/bag0.png"), Copy(folder, "coat", 0, "images/coat0.png"));
        var manifest = Write(folder, "train.csv", "path,label", $"{bag},bag", $"{coat},COAT");

        var images = ImageFolder.Open(manifest, ["bag", "coat"]);

        Assert.Equal(["bag", "coat"], images.Classes);
        Assert.Equal([0, 1], images.Samples.Select(s => s.Label));
        Assert.Equal(folder["images/coat0.png"], images.Samples[1].Path);
        Assert.Equal(TaskKind.Classification, images.Task);
        Assert.Equal(0, images.Skipped);
    }

    [Fact]
    public void AClassificationManifestWithoutDeclaredLabels_TakesItsClassesFromTheRowsInOrdinalOrder()
    {
        using var folder = new TempFolder();
        var manifest = Write(folder, "train.csv", "path,label", $"{Copy(folder, "shirt", 0, "a.png")},shirt", $"{Copy(folder, "bag", 0, "b.png")},bag");

        var images = ImageFolder.Open(manifest);

        Assert.Equal(["bag", "shirt"], images.Classes);
        Assert.Equal([1, 0], images.Samples.Select(s => s.Label));
    }

    [Fact]
    public void AMultiLabelManifest_GivesMultiHotRows_AnEmptyFieldMeaningNoLabel()
    {
        using var folder = new TempFolder();
        var manifest = Write(folder, "train.csv", "path,labels",
            $"{Copy(folder, "bag", 0, "a.png")},bag;shirt", $"{Copy(folder, "coat", 0, "b.png")},", $"{Copy(folder, "shirt", 0, "c.png")}, Coat ; shirt ");

        var images = ImageFolder.OpenForTask(manifest, TaskKind.MultiLabel, Labels);
        using var targets = images.Targets([0, 1, 2]);

        Assert.Equal(TaskKind.MultiLabel, images.Task);
        Assert.Equal(ScalarType.Float32, targets.dtype);
        Assert.Equal([1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 1f], targets.data<float>().ToArray());
        Assert.Equal([3L, 3L], targets.shape);
    }

    [Fact]
    public void ARegressionTsv_GivesOneInvariantNumberPerTarget_InTheDeclaredOrder()
    {
        using var folder = new TempFolder();
        var manifest = Write(folder, "train.tsv", "path\tangle\tscale", $"{Copy(folder, "bag", 0, "a.png")}\t-12.5\t1e-3", $"{Copy(folder, "coat", 0, "b.png")}\t90\t2");

        var images = ImageFolder.OpenForTask(manifest, TaskKind.Regression, ["angle", "scale"]);
        using var targets = images.Targets([0, 1]);

        Assert.Equal(["angle", "scale"], images.Classes);
        Assert.Equal([-12.5f, 0.001f, 90f, 2f], targets.data<float>().ToArray());
    }

    [Fact]
    public void QuotedFields_KeepTheirSeparators()
    {
        using var folder = new TempFolder();
        var path = Copy(folder, "bag", 0, "bags, large/one \"big\".png");
        var manifest = Write(folder, "train.csv", "path,labels", $"\"{path.Replace("\"", "\"\"", StringComparison.Ordinal)}\",\"bag;coat\"");

        var images = ImageFolder.OpenForTask(manifest, TaskKind.MultiLabel, Labels);

        Assert.Equal(folder["bags, large/one \"big\".png"], Assert.Single(images.Samples).Path);
        Assert.Equal([1f, 1f, 0f], images.Samples[0].Targets!);
    }

    [Fact]
    public void EveryKindOfBadRow_IsLoggedWithTheFileRowAndWhatIsValid_SkippedAndCounted()
    {
        using var folder = new TempFolder();
        var good = Copy(folder, "bag", 0, "data/good.png");
        Copy(folder, "bag", 1, "outside.png");
        var manifest = Write(folder, "data/train.csv", "path,angle,scale",
            $"{Path.GetFileName(good)},1,2",           // row 2: good
            "missing.png,1,2",                          // row 3: no such file
            "../outside.png,1,2",                       // row 4: leaves the manifest's folder
            $"{Path.GetFileName(good)},one,2",          // row 5: not a number
            $"{Path.GetFileName(good)},,2",             // row 6: a missing target
            $"{Path.GetFileName(good)},1",              // row 7: too few fields
            $"{Path.GetFileName(good)},1,2,3",          // row 8: too many fields
            $"{Path.GetFileName(good)},NaN,2");         // row 9: not finite
        var logger = new CapturingLogger();

        var images = ImageFolder.OpenForTask(manifest, TaskKind.Regression, ["angle", "scale"], logger);

        Assert.Single(images.Samples);
        Assert.Equal(7, images.Skipped);
        var skipped = logger.Of(LogEvents.ManifestRowSkipped);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], skipped.Select(e => (int)e.Properties["Row"]!));
        Assert.All(skipped, e => Assert.Equal(manifest, e.Properties["ManifestPath"]));
        var reasons = skipped.Select(e => (string)e.Properties["Reason"]!).ToList();
        Assert.Contains("does not exist", reasons[0]);
        Assert.Contains("leads outside the manifest's folder", reasons[1]);
        Assert.Contains("angle 'one' is not a finite number; write numbers such as 12.5", reasons[2]);
        Assert.Contains("angle is missing", reasons[3]);
        Assert.Contains("it has 2 fields, but the header has 3 (path,angle,scale)", reasons[4]);
        Assert.Contains("it has 4 fields", reasons[5]);
        Assert.Contains("'NaN' is not a finite number", reasons[6]);
    }

    [Theory]
    [InlineData(TaskKind.Classification, "unknown")]
    [InlineData(TaskKind.MultiLabel, "bag;unknown")]
    public void AnUnknownLabel_IsASkippedRowNamingTheLabels(TaskKind task, string field)
    {
        using var folder = new TempFolder();
        var good = Path.GetFileName(Copy(folder, "bag", 0, "a.png"));
        var manifest = Write(folder, "m.csv", task == TaskKind.Classification ? "path,label" : "path,labels", $"{good},bag", $"{good},{field}");
        var logger = new CapturingLogger();

        var images = ImageFolder.OpenForTask(manifest, task, Labels, logger);

        Assert.Equal(1, images.Skipped);
        var reason = (string)Assert.Single(logger.Of(LogEvents.ManifestRowSkipped)).Properties["Reason"]!;
        Assert.Contains("'unknown' is not one of the", reason);
        Assert.Contains("bag, coat, shirt", reason);
    }

    [Theory]
    [InlineData(TaskKind.Classification, "file,label", "path,label")]
    [InlineData(TaskKind.MultiLabel, "path,label", "path,labels")]
    [InlineData(TaskKind.Regression, "path,scale,angle", "path,angle,scale")]
    public void AWrongHeader_IsAnErrorNamingTheExpectedHeader(TaskKind task, string header, string expected)
    {
        using var folder = new TempFolder();
        var manifest = Write(folder, "m.csv", header, $"{Path.GetFileName(Copy(folder, "bag", 0, "a.png"))},bag");

        var error = Assert.Throws<ImageFolderException>(() => ImageFolder.OpenForTask(manifest, task, task == TaskKind.Regression ? ["angle", "scale"] : Labels));

        Assert.Contains(manifest, error.Message);
        Assert.Contains($"expects {expected}", error.Message);
    }

    [Fact]
    public void AFolderForAMultiLabelModel_IsAnErrorAskingForAManifest()
    {
        var error = Assert.Throws<ImageFolderException>(() => ImageFolder.OpenForTask(FashionData.Test, TaskKind.MultiLabel, Labels));

        Assert.Contains("reads its images and targets from a .csv or .tsv file whose header is path,labels", error.Message);
    }

    [Fact]
    public void ImageBatches_CarryTheManifestsTargets_AndTrainingDataSplitsThem()
    {
        using var folder = new TempFolder();
        var rows = Enumerable.Range(0, 10).Select(i => $"{Path.GetFileName(Copy(folder, "bag", i, $"b{i}.png"))},{i * 0.5}").ToArray();
        var manifest = Write(folder, "m.csv", ["path,angle", .. rows]);

        var data = TrainingData.OpenForTask(manifest, null, TaskKind.Regression, ["angle"], validationSplit: 0.2, seed: 3);
        var input = new ImageInput(32, 32, 1, Preprocessing.ImageNet);
        var seen = new List<float>();
        foreach (var batch in ImageBatches.Read(data.Train, input, batchSize: 3))
        {
            Assert.Equal([batch.Count, 1L], batch.Labels.shape);
            seen.AddRange(batch.Labels.data<float>().ToArray());
        }

        Assert.Equal(8, data.Train.Count);
        Assert.Equal(2, data.Validation!.Count);
        Assert.Equal(data.Train.Samples.Select(s => s.Targets![0]), seen);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 0.5f).Order(), data.Train.Samples.Concat(data.Validation.Samples).Select(s => s.Targets![0]).Order());
    }

    [Theory]
    [InlineData(TaskKind.MultiLabel)]
    [InlineData(TaskKind.Regression)]
    public void AFeatureFile_CarriesMultiLabelAndRegressionTargets_AndRefusesTargetsThatCannotBe(TaskKind task)
    {
        using var folder = new TempFolder();
        var values = task == TaskKind.MultiLabel ? new[] { 1f, 0f, 0f, 1f, 1f, 1f } : [-2.5f, 3f, 0.125f, 9f, 1e6f, -7f];
        using (var set = new FeatureSet(rand(3, 2, 1, 1), tensor(values, [3, 2]), ["a", "b"], skipped: 1) { Task = task })
        {
            FeatureFile.Write(folder["set.feat"], set);
        }

        using var read = FeatureFile.TryRead(folder["set.feat"], out var problem);

        Assert.Null(problem);
        Assert.Equal(task, read!.Task);
        Assert.Equal([3L, 2L], read.Labels.shape);
        Assert.Equal(values, read.Labels.data<float>().ToArray());
        using (var forged = new FeatureSet(rand(1, 2, 1, 1), tensor(new[] { 0.5f, float.NaN }, [1, 2]), ["a", "b"], skipped: 0) { Task = task })
        {
            FeatureFile.Write(folder["forged.feat"], forged);
        }

        Assert.Null(FeatureFile.TryRead(folder["forged.feat"], out var forgedProblem));
        Assert.Contains("forged or damaged", forgedProblem);
    }

    [Fact]
    public void AFeatureSet_RefusesTargetsThatAreNotItsTasks()
    {
        Assert.Throws<ArgumentException>(() => new FeatureSet(rand(2, 1, 1, 1), tensor(new long[] { 0, 1 }), ["a", "b"], 0) { Task = TaskKind.MultiLabel });
        Assert.Throws<ArgumentException>(() => new FeatureSet(rand(2, 1, 1, 1), zeros(2, 2), ["a", "b"], 0) { Task = TaskKind.Classification });
    }

    [Fact]
    public void MosaicsOfRealImages_ReadAsMultiHotRowsOfTheClassesTheyShow()
    {
        using var folder = new TempFolder();
        var manifest = FashionMosaics.Build(FashionData.Train, 40, seed: 5, folder.Path);

        var images = ImageFolder.OpenForTask(manifest, TaskKind.MultiLabel, FashionData.Classes);
        using var targets = images.Targets(Enumerable.Range(0, images.Count).ToList());
        var rows = targets.data<float>().ToArray();
        var written = File.ReadAllLines(manifest).Skip(1).Select(line => line.Split(',')[1].Split(';')).ToList();

        Assert.Equal(40, images.Count);
        Assert.Equal(0, images.Skipped);
        for (var i = 0; i < 40; i++)
        {
            var hot = FashionData.Classes.Select((c, k) => rows[i * 10 + k] == 1 ? c : null).OfType<string>();
            Assert.Equal(written[i], hot);
            Assert.InRange(written[i].Length, 1, 4);
        }

        // Four draws from ten classes show about 3.6 of them: a label's chance AP is its prevalence, about 0.34.
        Assert.InRange(FashionMosaics.ChanceMeanAveragePrecision(rows, 10), 0.2, 0.5);
    }

    // Copies the n-th test image of a Fashion-MNIST class to a path under the folder; returns the path relative to it.
    private static string Copy(TempFolder folder, string label, int n, string relative)
    {
        var target = folder[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Directory.GetFiles(Path.Combine(FashionData.Test, label)).Order(StringComparer.Ordinal).ElementAt(n), target);
        return relative;
    }

    private static string Write(TempFolder folder, string name, params string[] lines)
    {
        var path = folder[name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }
}
