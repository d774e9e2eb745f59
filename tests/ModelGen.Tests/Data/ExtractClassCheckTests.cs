using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// Extract checks the class folders against the head before the backbone runs over every image (issue 17
/// item 5: a template with too few folders failed only at Train, after the whole extraction).
/// </summary>
public sealed class ExtractClassCheckTests
{
    [Fact]
    public void TooFewClassFolders_FailAtExtract_BeforeAnyImageIsRead()
    {
        using var temp = new TempFolder();
        foreach (var label in new[] { "bag", "sneaker" })
        {
            var folder = Directory.CreateDirectory(temp[$"train/{label}"]).FullName;
            File.Copy(Directory.GetFiles(Path.Combine(FashionData.Test, label)).Order().First(), Path.Combine(folder, "a.png"));
        }

        var log = new CapturingLogger();
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Logger = log });

        var error = Assert.Throws<ImageFolderException>(() => model.Extract(temp["train"]));

        Assert.Contains("10", error.Message, StringComparison.Ordinal); // the head's 10 outputs
        Assert.Contains("2", error.Message, StringComparison.Ordinal); // the 2 folders
        Assert.Empty(log.Of(LogEvents.FeaturesExtracted));
        Assert.False(Directory.Exists(temp["cache"]) && Directory.EnumerateFiles(temp["cache"], "*", SearchOption.AllDirectories).Any());
    }
}
