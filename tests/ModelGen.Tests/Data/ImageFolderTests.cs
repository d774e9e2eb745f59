using ModelGen.Data;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Data;

/// <summary>Image folders: class order, label/folder mismatches that name both sides, and validation splits.</summary>
public sealed class ImageFolderTests
{
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
