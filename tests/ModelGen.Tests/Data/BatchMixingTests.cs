using ModelGen.Data;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>MixUp and CutMix on a small batch against their formulas, and the Beta draws behind them.</summary>
public sealed class BatchMixingTests
{
    [Fact]
    public void MixUp_MixesEachImageAndItsTargetWithThePreviousOneByLambda()
    {
        using var images = rand([3, 2, 4, 4], generator: new TorchSharp.torch.Generator(1));
        using var targets = tensor(new[] { 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f }, [3, 3]);

        var (mixed, soft, lambda) = BatchMixing.MixUp(images, targets, 0.2, new Random(5));
        using (mixed)
        using (soft)
        {
            Assert.InRange(lambda, 0, 1);
            for (var i = 0; i < 3; i++)
            {
                var previous = (i + 2) % 3;
                using var expected = images[i].mul(lambda).add(images[previous].mul(1 - lambda));
                Assert.True(mixed[i].allclose(expected, rtol: 0, atol: 1e-6));
            }

            // Image 0 is class 0 mixed with image 2's class 2.
            Assert.Equal([(float)lambda, 0f, (float)(1 - lambda)], soft[0].data<float>().ToArray());
            var (_, _, again) = BatchMixing.MixUp(images, targets, 0.2, new Random(5));
            Assert.Equal(lambda, again);
        }
    }

    [Fact]
    public void CutMix_PastesABoxOfThePreviousImage_AndMixesTheTargetsByTheShareUncovered()
    {
        const int Side = 16;
        using var images = arange(4, dtype: ScalarType.Float32).view(4, 1, 1, 1).expand(4, 1, Side, Side).contiguous();
        using var targets = tensor(new[] { 0f, 1f, 1f, 0f }); // binary: one probability per image

        var (mixed, soft, lambda, box) = BatchMixing.CutMix(images, targets, 1.0, new Random(9));
        using (mixed)
        using (soft)
        {
            var area = (box.Y2 - box.Y1) * (box.X2 - box.X1);
            Assert.True(area > 0, "this seed should cut a box");
            Assert.Equal(1 - ((double)area / (Side * Side)), lambda, 12);
            for (var i = 0; i < 4; i++)
            {
                // Image i is filled with i: the box holds the previous image's value, the rest its own.
                var previous = (i + 3) % 4;
                using var fromPrevious = mixed[i].eq(previous).sum();
                Assert.Equal(area, fromPrevious.item<long>());
                using var inBox = mixed[i, 0, TensorIndex.Slice(box.Y1, box.Y2), TensorIndex.Slice(box.X1, box.X2)].eq(previous).all();
                Assert.True(inBox.item<bool>());
                var expected = (lambda * targets[i].item<float>()) + ((1 - lambda) * targets[previous].item<float>());
                Assert.Equal(expected, soft[i].item<float>(), 5);
            }
        }
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(1.0)]
    public void Beta_HasTheMeanAndVarianceOfBetaAlphaAlpha(double alpha)
    {
        var random = new Random(2);
        var draws = Enumerable.Range(0, 40_000).Select(_ => BatchMixing.Beta(alpha, random)).ToArray();

        var mean = draws.Average();
        var variance = draws.Select(x => (x - mean) * (x - mean)).Average();

        // Beta(α, α): mean 1/2, variance 1 / (4 (2α + 1)); 0.179 for α = 0.2, 0.083 for α = 1 (uniform).
        Assert.Equal(0.5, mean, 0.01);
        Assert.Equal(1 / (4 * ((2 * alpha) + 1)), variance, 0.005);
        Assert.All(draws, x => Assert.InRange(x, 0, 1));
    }
}
