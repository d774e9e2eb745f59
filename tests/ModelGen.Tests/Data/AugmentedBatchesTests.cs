using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>RandAugment and RandomErasing on real Fashion-MNIST images as the training batches read them.</summary>
public sealed class AugmentedBatchesTests
{
    private static readonly ImageInput Input = new(32, 32, 3, Preprocessing.ImageNet);

    [Fact]
    public void RandomErasing_RunsAfterNormalisation_OneBoxOfTheValueInEveryImage()
    {
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Train, 3, temp["images"]));

        // 5 is out of reach of ImageNet normalisation ((1 - 0.406) / 0.225 = 2.64 at most), so only the box has it.
        var augmentation = new Augmentation(ErasingProbability: 1, ErasingValue: 5);
        foreach (var batch in ImageBatches.Read(folder, Input, batchSize: 10, shuffle: true, seed: 4, augmentation: augmentation))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                using var mask = batch.Images[i].eq(5).all(0);
                using var rows = mask.any(1).nonzero();
                using var columns = mask.any(0).nonzero();
                Assert.True(mask.sum().item<long>() > 0, $"image {i} has no erased box");
                Assert.Equal(rows.shape[0] * columns.shape[0], mask.sum().item<long>());
            }
        }
    }

    [Fact]
    public void RandAugmentAndErasing_SameSeedSameBatches_AndTheyChangeTheImages()
    {
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Train, 2, temp["images"]));
        var augmentation = new Augmentation(RandAugmentOps: 2, RandAugmentMagnitude: 9, ErasingProbability: 0.5);

        var first = Read(folder, augmentation, seed: 3);
        var again = Read(folder, augmentation, seed: 3);
        var plain = Read(folder, null, seed: 3);

        Assert.Equal(first, again);
        Assert.NotEqual(first, plain);
    }

    private static float[] Read(ImageFolder folder, Augmentation? augmentation, int seed) =>
        ImageBatches.Read(folder, Input, batchSize: 8, shuffle: true, seed: seed, augmentation: augmentation)
            .SelectMany(batch => batch.Images.data<float>().ToArray())
            .ToArray();
}
