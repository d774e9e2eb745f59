using ModelGen.Data;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>RandAugment's ops at known magnitudes on small synthetic images, against values computed here.</summary>
public sealed class PolicyAugmentationTests
{
    [Fact]
    public void Posterize_KeepsTheTopBits()
    {
        float[] values = [0f, 0.1f, 0.26f, 0.49f, 0.5f, 0.74f, 0.8f, 1f];
        using var image = tensor(values, [1, 2, 4]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Posterize, 2));

        // floor(x · 4) / 4, the top level 3/4 for x = 1.
        Assert.Equal([0f, 0f, 0.25f, 0.25f, 0.5f, 0.5f, 0.75f, 0.75f], result.data<float>().ToArray());
    }

    [Fact]
    public void Solarize_InvertsValuesAtOrAboveTheThreshold()
    {
        float[] values = [0f, 0.2f, 0.5f, 0.7f];
        using var image = tensor(values, [1, 2, 2]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Solarize, 0.5));

        Assert.Equal([0f, 0.2f, 0.5f, 1 - 0.7f], result.data<float>().ToArray());
    }

    [Fact]
    public void Brightness_ScalesByOnePlusTheMagnitudeAndClamps()
    {
        float[] values = [0f, 0.2f, 0.6f, 0.8f];
        using var image = tensor(values, [1, 2, 2]);

        using var brighter = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Brightness, 0.5));
        using var darker = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Brightness, -0.5));

        Assert.Equal([0f, 0.3f, 0.9f, 1f], brighter.data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal([0f, 0.1f, 0.3f, 0.4f], darker.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Contrast_BlendsWithTheMeanGray()
    {
        // Gray image: the luma of a gray pixel is its value (0.2989 + 0.587 + 0.114 = 0.9999), mean 0.4.
        float[] plane = [0.2f, 0.4f, 0.4f, 0.6f];
        using var image = tensor(plane.Concat(plane).Concat(plane).ToArray(), [3, 2, 2]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Contrast, 1));

        var mean = 0.4 * 0.9999;
        var expected = plane.Select(v => (float)Math.Clamp((2 * v) - mean, 0, 1)).ToArray();
        Assert.Equal(expected.Concat(expected).Concat(expected), result.data<float>().ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Color_BlendsWithTheLuma()
    {
        using var image = tensor(new[] { 0.8f, 0.4f, 0.2f }, [3, 1, 1]);

        using var gray = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Color, -1));
        using var vivid = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Color, 0.5));

        var luma = (0.2989 * 0.8) + (0.587 * 0.4) + (0.114 * 0.2);
        Assert.Equal(Enumerable.Repeat((float)luma, 3), gray.data<float>().ToArray(), new FloatTolerance(1e-6f));
        float[] expected = [(float)Math.Min(1, (1.5 * 0.8) - (0.5 * luma)), (float)((1.5 * 0.4) - (0.5 * luma)), (float)Math.Max(0, (1.5 * 0.2) - (0.5 * luma))];
        Assert.Equal(expected, vivid.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Sharpness_BlendsWithTheSmoothedInside_KeepingTheBorder()
    {
        const int Size = 4;
        var values = Enumerable.Range(0, Size * Size).Select(i => (float)((i * 7) % 16) / 16).ToArray();
        using var image = tensor(values, [1, Size, Size]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Sharpness, -0.5));

        // Factor 0.5 with the degenerate image: inside, (the 3x3 sum + 4 · center) / 13; the border is its own.
        var expected = new float[Size * Size];
        for (var r = 0; r < Size; r++)
        {
            for (var c = 0; c < Size; c++)
            {
                var x = values[(r * Size) + c];
                var smoothed = x;
                if (r is > 0 and < Size - 1 && c is > 0 and < Size - 1)
                {
                    var sum = 0f;
                    for (var dr = -1; dr <= 1; dr++)
                    {
                        for (var dc = -1; dc <= 1; dc++)
                        {
                            sum += values[((r + dr) * Size) + c + dc];
                        }
                    }

                    smoothed = (sum + (4 * x)) / 13;
                }

                expected[(r * Size) + c] = (0.5f * x) + (0.5f * smoothed);
            }
        }

        Assert.Equal(expected, result.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Equalize_SpreadsTheLevelsByTheirCumulativeCounts()
    {
        // 1024 pixels: 256 at level 0, 256 at level 50, 512 at level 100. PIL: step = (1024 - 512) / 255 = 2,
        // lut[0] = 1 / 2 = 0, lut[50] = (1 + 256) / 2 = 128, lut[100] = (1 + 512) / 2 = 256, clamped to 255.
        var values = Enumerable.Repeat(0f, 256).Concat(Enumerable.Repeat(50 / 255f, 256)).Concat(Enumerable.Repeat(100 / 255f, 512)).ToArray();
        using var image = tensor(values, [1, 32, 32]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Equalize, 0));

        var expected = Enumerable.Repeat(0f, 256).Concat(Enumerable.Repeat(128 / 255f, 256)).Concat(Enumerable.Repeat(1f, 512));
        Assert.Equal(expected, result.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Equalize_LeavesAnImageOfOneLevel()
    {
        using var image = full([3, 8, 8], 0.4f);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Equalize, 0));

        // One level: step 0, the identity table on the image as 8 bits (0.4 · 255.999 = 102.4 → 102).
        Assert.All(result.data<float>().ToArray(), v => Assert.Equal(102 / 255f, v, 1e-6f));
    }

    [Fact]
    public void Rotate90_TurnsCounterClockwise()
    {
        using var image = arange(3 * 6 * 6, dtype: ScalarType.Float32).div(108).view(3, 6, 6);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.Rotate, 90));

        using var expected = image.rot90(1, (1, 2));
        Assert.Equal(expected.data<float>().ToArray(), result.data<float>().ToArray());
    }

    [Fact]
    public void ShearX_ShiftsEachRowByItsDistanceFromTheTopTimesTheMagnitude()
    {
        const int Size = 8;
        const double M = 0.3;
        using var image = arange(Size * Size, dtype: ScalarType.Float32).add(1).div(64).view(1, Size, Size);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.ShearX, M));

        // Output pixel (r, c) reads input (r, c + round(m · (r + 0.5))): torchvision shears about the top-left corner.
        var input = image.data<float>().ToArray();
        var expected = new float[Size * Size];
        for (var r = 0; r < Size; r++)
        {
            var shift = (int)Math.Round(M * (r + 0.5));
            for (var c = 0; c < Size; c++)
            {
                expected[(r * Size) + c] = c + shift < Size ? input[(r * Size) + c + shift] : 0;
            }
        }

        Assert.Equal(expected, result.data<float>().ToArray());
    }

    [Fact]
    public void TranslateX_MovesTheContentRightByWholePixels()
    {
        const int Size = 6;
        using var image = arange(Size * Size, dtype: ScalarType.Float32).add(1).div(36).view(1, Size, Size);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.TranslateX, 2.7));

        // int(2.7) = 2 pixels; the two columns that come in are filled with 0.
        var input = image.data<float>().ToArray();
        var expected = new float[Size * Size];
        for (var r = 0; r < Size; r++)
        {
            for (var c = 2; c < Size; c++)
            {
                expected[(r * Size) + c] = input[(r * Size) + c - 2];
            }
        }

        Assert.Equal(expected, result.data<float>().ToArray());
    }

    [Fact]
    public void AutoContrast_StretchesEachChannelToTheFullRange()
    {
        float[] values = [0.2f, 0.3f, 0.4f, 0.6f, 0.5f, 0.5f, 0.5f, 0.5f];
        using var image = tensor(values, [2, 2, 2]);

        using var result = PolicyOps.Apply(image, new PolicyStep(PolicyOp.AutoContrast, 0));

        // (x - min) / (max - min); the flat second channel is kept.
        Assert.Equal([0f, 0.25f, 0.5f, 1f, 0.5f, 0.5f, 0.5f, 0.5f], result.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Theory]
    [InlineData("ShearX", 9, false, 0.09)]
    [InlineData("Rotate", 9, false, 9)]
    [InlineData("TranslateX", 9, false, 45)]
    [InlineData("Brightness", 30, false, 0.9)]
    [InlineData("Posterize", 9, false, 7)]
    [InlineData("Posterize", 30, false, 4)]
    [InlineData("Solarize", 9, false, 0.7)]
    [InlineData("Rotate", 30, true, 135)]
    [InlineData("TranslateY", 15, true, 16)]
    [InlineData("Sharpness", 30, true, 0.99)]
    [InlineData("Posterize", 30, true, 2)]
    [InlineData("Posterize", 3, true, 7)]
    public void Magnitudes_FollowTorchvisionsTables(string op, int bin, bool wide, double expected)
    {
        // RandAugment's translation tops out at 150/331 of the size: 331 pixels give 150 at bin 30, 45 at bin 9.
        Assert.Equal(expected, AugmentPolicy.Magnitude(Enum.Parse<PolicyOp>(op), bin, 331, 331, wide), 9);
    }

    [Fact]
    public void RandAugment_DrawsNOpsPerImage_EveryOpAndBothSigns()
    {
        var random = new Random(3);
        var steps = Enumerable.Range(0, 500).Select(_ => AugmentPolicy.RandAugment(2, 9, 32, 32, random)).ToList();

        Assert.All(steps, s => Assert.Equal(2, s.Length));
        Assert.Equal(Enum.GetValues<PolicyOp>().Length, steps.SelectMany(s => s).Select(s => s.Op).Distinct().Count());
        var rotations = steps.SelectMany(s => s).Where(s => s.Op == PolicyOp.Rotate).Select(s => s.Magnitude).Distinct().Order();
        Assert.Equal([-9.0, 9.0], rotations);
    }

    [Fact]
    public void RandAugment_SameSeedGivesTheSameImages_AnotherSeedOthers()
    {
        using var images = rand([4, 3, 16, 16], generator: new TorchSharp.torch.Generator(7));
        var augmentation = new Augmentation(RandAugmentOps: 2, RandAugmentMagnitude: 9);

        using var first = augmentation.Apply(images, new Random(11));
        using var again = augmentation.Apply(images, new Random(11));
        using var other = augmentation.Apply(images, new Random(12));

        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other, rtol: 0, atol: 0));
        Assert.False(first.allclose(images, rtol: 0, atol: 0));
    }

    [Fact]
    public void TrivialAugment_SameSeedGivesTheSameImages()
    {
        using var images = rand([4, 3, 16, 16], generator: new TorchSharp.torch.Generator(8));
        var augmentation = new Augmentation(TrivialAugment: true);

        using var first = augmentation.Apply(images, new Random(5));
        using var again = augmentation.Apply(images, new Random(5));

        Assert.True(first.allclose(again, rtol: 0, atol: 0));
    }

    [Fact]
    public void RandomErasing_ErasesABoxWithinTheBounds_WithProbabilityP()
    {
        const int Count = 2000;
        const int Side = 64;
        var augmentation = new Augmentation(ErasingProbability: 0.25, ErasingValue: -1);
        using var images = full([Count, 1, Side, Side], 0.5f);

        augmentation.Erase(images, new Random(1));

        var erased = 0;
        for (var i = 0; i < Count; i++)
        {
            using var mask = images[i, 0].eq(-1);
            var pixels = mask.sum().item<long>();
            if (pixels == 0)
            {
                continue;
            }

            erased++;
            using var rows = mask.any(1).nonzero();
            using var columns = mask.any(0).nonzero();
            long height = rows.shape[0], width = columns.shape[0];

            // One filled rectangle. Its sides are sqrt(area · ratio) and sqrt(area / ratio) rounded, so the drawn area
            // lies in [(h - 0.5)(w - 0.5), (h + 0.5)(w + 0.5)] and the ratio in [(h - 0.5) / (w + 0.5), (h + 0.5) / (w - 0.5)]:
            // each range must meet the one asked for.
            Assert.Equal(height * width, pixels);
            Assert.True((height + 0.5) * (width + 0.5) >= 0.02 * Side * Side && (height - 0.5) * (width - 0.5) <= 0.33 * Side * Side, $"{height}x{width}");
            Assert.True((height + 0.5) / (width - 0.5) >= 0.3 && (height - 0.5) / (width + 0.5) <= 3.3, $"{height}x{width}");
        }

        // Binomial(2000, 0.25): standard deviation 19.4 images.
        Assert.InRange(erased, 500 - 80, 500 + 80);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
