using ModelGen.Data;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Data;

/// <summary>Image folders: class order, label/folder mismatches that name both sides, and validation splits.</summary>
public sealed class ImageFolderTests
{
    [Fact]
    public void AFolderIsNamedRelativeToTheCurrentFolder_AndAValidationSplitSaysItIsOne()
    {
        // Progress bars and messages name a folder briefly: its absolute path left a 3-character bar.
        var inside = Path.Combine(Environment.CurrentDirectory, "name-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var label in new[] { "bag", "sneaker" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(inside, "train", label)).FullName;
                foreach (var file in Directory.GetFiles(Path.Combine(FashionData.Test, label)).Order().Take(10))
                {
                    File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
                }
            }

            var data = TrainingData.Open(Path.Combine(inside, "train"), null, [], validationSplit: 0.2, seed: 1);

            var relative = Path.Combine(Path.GetFileName(inside), "train");
            Assert.Equal($"{relative} (training part, 16 images)", data.Train.Name);
            Assert.Equal($"{relative} (validation split, 4 images)", data.Validation!.Name);
            Assert.Equal(FashionData.Test, ImageFolder.Open(FashionData.Test).Name.TrimEnd(Path.DirectorySeparatorChar)); // outside: the full path
        }
        finally
        {
            Directory.Delete(inside, recursive: true);
        }
    }

    [Fact]
    public void Classes_AreFolderNamesInOrdinalOrder_OrTheLabelsInTheirOrder()
    {
        var plain = ImageFolder.Open(FashionData.Test);
        var labelled = ImageFolder.Open(FashionData.Test, ["TROUSER", "bag", "coat", "dress", "pullover", "sandal", "shirt", "sneaker", "ankle-boot", "tshirt-top"]);

        Assert.Equal(FashionData.Classes, plain.Classes);
        Assert.Equal(500, plain.Count);
        Assert.Equal("TROUSER", labelled.Classes[0]);
        Assert.All(labelled.Samples.Where(s => s.Label == 0), s => Assert.Contains("/trouser/", s.Path));
    }

    [Fact]
    public void LabelsThatDoNotMatchTheFolders_NameBothSides()
    {
        var error = Assert.Throws<ImageFolderException>(() => ImageFolder.Open(FashionData.Test, ["cat", "dog"]));

        Assert.Contains("Folders: ankle-boot, bag", error.Message);
        Assert.Contains("Classes: cat, dog", error.Message);
        Assert.Contains("Missing folders: cat, dog", error.Message);
    }

    [Fact]
    public async Task APipeNamedLikeAnImage_IsSkippedAndRefused_NotWaitedOnForever()
    {
        // Issue 18 item 6: a FIFO named x.png hung Extract, Train, Evaluate and Predict in open().
        using var temp = new TempFolder();
        var data = FashionData.Subset(FashionData.Test, perClass: 1, temp["data"]);
        var pipe = Path.Combine(data, "bag", "pipe.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var input = new ImageInput(32, 32, 1, Preprocessing.ImageNet);
        var work = Task.Run(() =>
        {
            var folder = ImageFolder.Open(data);
            foreach (var batch in ImageBatches.Read(folder, input, batchSize: 4))
            {
                batch.Dispose();
            }

            var error = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(pipe, input));
            return (folder.Skipped, error.Message);
        });

        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == work, "reading a folder with a pipe in it did not finish");
        var (skipped, message) = await work;
        Assert.Equal(1, skipped);
        Assert.Contains("not a regular file", message);
    }

    [Fact]
    public void ClassFoldersThatDifferOnlyInCase_AreAClearError_NotOneIgnored()
    {
        using var temp = new TempFolder();
        var data = FashionData.Subset(FashionData.Test, perClass: 1, temp["data"]);
        Directory.CreateDirectory(Path.Combine(data, "Coat"));
        File.Copy(Directory.GetFiles(Path.Combine(data, "coat")).First(), Path.Combine(data, "Coat", "another.png"));

        var error = Assert.Throws<ImageFolderException>(() => ImageFolder.Open(data, FashionData.Classes));

        Assert.Contains("'Coat' and 'coat'", error.Message);
        Assert.Contains("differ only in case", error.Message);
    }

    [Fact]
    public void MissingOrEmptyFolders_AreClearErrors()
    {
        using var temp = new TempFolder();
        Assert.Contains("does not exist", Assert.Throws<ImageFolderException>(() => ImageFolder.Open(temp["nothing"])).Message);
        Directory.CreateDirectory(temp["empty/a"]);
        Assert.Contains("hold no images", Assert.Throws<ImageFolderException>(() => ImageFolder.Open(temp["empty"])).Message);
    }

    [Fact]
    public void ValidationSplit_IsStratified_Disjoint_AndReproducible()
    {
        var data = TrainingData.Open(FashionData.Train, null, [], validationSplit: 0.2, seed: 3);
        var again = TrainingData.Open(FashionData.Train, null, [], validationSplit: 0.2, seed: 3);

        Assert.Equal(800, data.Train.Count);
        Assert.Equal(200, data.Validation!.Count);
        Assert.All(data.Validation.Samples.GroupBy(s => s.Label), g => Assert.Equal(20, g.Count()));
        Assert.Empty(data.Train.Samples.Select(s => s.Path).Intersect(data.Validation.Samples.Select(s => s.Path)));
        Assert.Equal(data.Validation.Samples, again.Validation!.Samples);
    }
}
