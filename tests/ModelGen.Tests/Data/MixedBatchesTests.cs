using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// MixUp and CutMix as the training loop reads its batches (augment.mixup, augment.cutmix, issue 14), on real
/// Fashion-MNIST images: each batch and its targets equal BatchMixing's formula on the unmixed batch with the draws of
/// the batch's seed, the same seed gives the same batches, and the labels stay the images' own.
/// </summary>
public sealed class MixedBatchesTests
{
    private static readonly ImageInput Input = new(32, 32, 3, Preprocessing.ImageNet);

    [Theory]
    [InlineData(0.4, 0.0, 1.0)]
    [InlineData(0.0, 1.0, 1.0)]
    [InlineData(0.2, 1.0, 0.6)]
    public void EveryBatch_IsTheFormulaOnTheUnmixedBatch_WithTheDrawsOfItsSeed(double mixUp, double cutMix, double probability)
    {
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Train, 3, temp["images"]));
        var augmentation = new Augmentation(MixUpAlpha: mixUp, CutMixAlpha: cutMix, MixProbability: probability);
        const int Seed = 11;

        var plain = ImageBatches.Read(folder, Input, batchSize: 8, shuffle: true, seed: Seed).Select(Copy).ToList();
        var mixed = ImageBatches.Read(folder, Input, batchSize: 8, shuffle: true, seed: Seed, augmentation: augmentation).Select(Copy).ToList();

        Assert.Equal(plain.Count, mixed.Count);
        var operations = new List<MixOperation?>();
        for (var i = 0; i < plain.Count; i++)
        {
            Assert.Equal(plain[i].Labels.data<long>().ToArray(), mixed[i].Labels.data<long>().ToArray());
            using var oneHot = nn.functional.one_hot(plain[i].Labels, folder.Classes.Count).to_type(ScalarType.Float32);
            var (images, targets, operation, lambda) = BatchMixing.Mix(plain[i].Images, oneHot, augmentation, BatchMixing.RandomFor(ImageBatches.BatchSeed(Seed, i)));
            using (images)
            using (targets)
            {
                Assert.True(mixed[i].Images.allclose(images, rtol: 0, atol: 1e-6), $"batch {i}: the images are not the formula's");
                Assert.True(mixed[i].Targets!.allclose(targets, rtol: 0, atol: 1e-6), $"batch {i}: the targets are not the formula's");
            }

            operations.Add(operation);
            if (operation == MixOperation.MixUp)
            {
                // Independently of BatchMixing: λ · x + (1 - λ) · roll(x), with λ the share of each image's own class.
                using var rolled = plain[i].Images.roll(1, 0);
                using var expected = plain[i].Images.mul(lambda).add(rolled.mul(1 - lambda));
                Assert.True(mixed[i].Images.allclose(expected, rtol: 0, atol: 1e-5));
                using var rowSums = mixed[i].Targets!.sum(1);
                Assert.True(rowSums.allclose(ones_like(rowSums), rtol: 0, atol: 1e-6));
            }
            else if (operation is null)
            {
                Assert.True(mixed[i].Images.allclose(plain[i].Images, rtol: 0, atol: 0));
                Assert.True(mixed[i].Targets!.Identical(oneHot));
            }
        }

        // What ran is what was asked for (30 images in batches of 8: 4 batches).
        Assert.All(operations, o => Assert.True(o is null || (o == MixOperation.MixUp ? mixUp > 0 : cutMix > 0)));
        if (probability == 1)
        {
            Assert.DoesNotContain(null, operations);
        }

        var again = ImageBatches.Read(folder, Input, batchSize: 8, shuffle: true, seed: Seed, augmentation: augmentation).Select(Copy).ToList();
        Assert.All(Enumerable.Range(0, again.Count), i => Assert.True(again[i].Images.Identical(mixed[i].Images) && again[i].Targets!.Identical(mixed[i].Targets!)));
    }

    [Fact]
    public void MixProbability_LeavesAboutThatShareOfBatchesUnmixed()
    {
        var settings = new Augmentation(MixUpAlpha: 1, CutMixAlpha: 1, MixProbability: 0.3);
        using var images = rand([2, 1, 4, 4], generator: new TorchSharp.torch.Generator(3));
        using var targets = tensor(new[] { 1f, 0f, 0f, 1f }, [2, 2]);
        var counts = new Dictionary<string, int> { ["none"] = 0, ["MixUp"] = 0, ["CutMix"] = 0 };
        for (var seed = 0; seed < 2000; seed++)
        {
            var (mixedImages, mixedTargets, operation, _) = BatchMixing.Mix(images, targets, settings, BatchMixing.RandomFor(seed));
            mixedImages.Dispose();
            mixedTargets.Dispose();
            counts[operation?.ToString() ?? "none"]++;
        }

        // 0.7 unmixed, 0.15 each: within five standard deviations of 2000 draws (about 0.05 and 0.04).
        Assert.InRange(counts["none"] / 2000.0, 0.65, 0.75);
        Assert.InRange(counts["MixUp"] / 2000.0, 0.11, 0.19);
        Assert.InRange(counts["CutMix"] / 2000.0, 0.11, 0.19);
    }

    private static ImageBatch Copy(ImageBatch batch) =>
        new(batch.Images.clone(), batch.Labels.clone()) { Targets = batch.Targets?.clone() };
}
