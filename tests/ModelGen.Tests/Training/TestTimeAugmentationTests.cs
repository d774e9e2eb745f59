using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <see cref="ModelOptions.TestTimeAugmentation"/> in a generated model's Predict and Evaluate (issue 14): a flip
/// averages the model's probabilities on the image and on its mirror image, Evaluate scores the same views as
/// Predict, and without it (or with it off) the numbers are exactly those of a model without the option.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class TestTimeAugmentationTests
{
    [Fact]
    public void Flip_AveragesTheModelOnTheImageAndOnItsMirror()
    {
        using var temp = new TempFolder();
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        using var plain = TinyMetrics.Create(options);
        plain.Save(temp["model.mgmodel"]);
        using var flipped = TinyMetrics.Load(temp["model.mgmodel"], options with { TestTimeAugmentation = new TestTimeAugmentation { Flip = true } });

        foreach (var file in Directory.GetFiles(Path.Combine(FashionData.Test, "sandal")).Order(StringComparer.Ordinal).Take(3))
        {
            // The mirror image, written as a file and scored by the model without augmentation.
            var mirror = temp[Path.GetFileName(file)];
            using (var image = Image.Load<L8>(file))
            {
                image.Mutate(x => x.Flip(FlipMode.Horizontal));
                image.SaveAsPng(mirror);
            }

            var original = plain.Predict(file).Probabilities;
            var mirrored = plain.Predict(mirror).Probabilities;
            var averaged = flipped.Predict(file).Probabilities;

            Assert.NotEqual(original, mirrored); // the model tells them apart, so the mean is not the image's own
            for (var c = 0; c < averaged.Count; c++)
            {
                Assert.Equal((original[c] + mirrored[c]) / 2, averaged[c], 5);
            }

            using var stream = File.OpenRead(file);
            Assert.Equal(averaged, flipped.Predict(stream).Probabilities);
        }
    }

    [Fact]
    public void Evaluate_ScoresTheViewsPredictDoes_AndOffGivesTodaysNumbersExactly()
    {
        using var temp = new TempFolder();
        var test = FashionData.Subset(FashionData.Test, perClass: 3, temp["test"]);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        using var plain = TinyMetrics.Create(options);
        plain.Save(temp["model.mgmodel"]);
        using var off = TinyMetrics.Load(temp["model.mgmodel"], options with { TestTimeAugmentation = new TestTimeAugmentation() });
        using var tenViews = TinyMetrics.Load(temp["model.mgmodel"], options with { TestTimeAugmentation = new TestTimeAugmentation { Crops = 5, Flip = true } });

        // Off: the same code as without the option, so the same numbers, bit for bit.
        var expected = plain.Evaluate(test);
        var result = off.Evaluate(test);
        Assert.Equal(expected.ConfusionMatrix, result.ConfusionMatrix);
        Assert.Equal(expected.Loss, result.Loss);
        Assert.Equal(expected.PerClass, result.PerClass);
        var file = Directory.GetFiles(Path.Combine(test, "bag"))[0];
        Assert.Equal(plain.Predict(file).Probabilities, off.Predict(file).Probabilities);

        // Ten views: Evaluate's figures are those of Predict's averaged probabilities, image by image.
        var augmented = tenViews.Evaluate(test);
        var predictions = FashionData.Classes
            .SelectMany((label, index) => Directory.GetFiles(Path.Combine(test, label)).Select(f => (Label: index, tenViews.Predict(f).Probabilities)))
            .ToList();
        var confusion = new long[10, 10];
        foreach (var (label, probabilities) in predictions)
        {
            confusion[label, Prediction.ArgMax(probabilities)]++;
        }

        Assert.Equal(confusion, augmented.ConfusionMatrix);
        Assert.Equal(predictions.Average(p => -Math.Log(p.Probabilities[p.Label])), augmented.Loss, 4);
        Assert.NotEqual(expected.Loss, augmented.Loss);
    }
}
