using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Spec;

/// <summary>The augment keys with torchvision meanings: rand_augment, trivial_augment, random_erasing, mixup and cutmix.</summary>
internal static partial class SpecReader
{
    /// <summary>torchvision RandAugment's defaults: num_ops 2, magnitude 9 (of 31 bins).</summary>
    private const int DefaultRandAugmentOps = 2;
    private const int DefaultRandAugmentMagnitude = 9;

    private static Augmentation WithPolicies(Augmentation keras, MappingView view, DiagnosticBag diagnostics)
    {
        var (ops, magnitude) = ReadRandAugment(view, diagnostics);
        var trivial = view.Bool("trivial_augment") ?? false;
        if (ops > 0 && trivial)
        {
            diagnostics.Add(DiagnosticDescriptors.RandAugmentWithTrivialAugment, view.KeyLocation("trivial_augment"), view.Path);
        }

        var erasing = ReadRandomErasing(view, diagnostics) ?? keras;
        var mixUp = ReadMixing(view, "mixup", diagnostics);
        var cutMix = ReadMixing(view, "cutmix", diagnostics);
        var mixProbability = view.Double("mix_probability", 0, 1, minExclusive: true) ?? 1;
        if (view.Get("mix_probability") is not null && mixUp == 0 && cutMix == 0)
        {
            diagnostics.Add(DiagnosticDescriptors.MixProbabilityWithoutMixing, view.KeyLocation("mix_probability"), view.Path);
        }

        return keras with
        {
            RandAugmentOps = ops,
            RandAugmentMagnitude = magnitude,
            TrivialAugment = trivial,
            ErasingProbability = erasing.ErasingProbability,
            ErasingScaleLow = erasing.ErasingScaleLow,
            ErasingScaleHigh = erasing.ErasingScaleHigh,
            ErasingRatioLow = erasing.ErasingRatioLow,
            ErasingRatioHigh = erasing.ErasingRatioHigh,
            ErasingValue = erasing.ErasingValue,
            MixUpAlpha = mixUp,
            CutMixAlpha = cutMix,
            MixProbability = mixUp > 0 || cutMix > 0 ? mixProbability : 1,
        };
    }

    /// <summary>torchvision.transforms.v2's MixUp and CutMix default: α = 1.0 (λ uniform on [0, 1]).</summary>
    private const double DefaultMixingAlpha = 1.0;

    /// <summary>
    /// <c>mixup: { alpha }</c> or <c>cutmix: { alpha }</c> (α &gt; 0, the Beta(α, α) that λ is drawn from), <c>true</c> for
    /// torchvision's α = 1.0, or false; 0 when off.
    /// </summary>
    private static double ReadMixing(MappingView augment, string key, DiagnosticBag diagnostics)
    {
        var node = augment.Get(key);
        if (node is null)
        {
            return 0;
        }

        if (node is not MappingNode)
        {
            return SpecValues.Bool(node, augment.Name(key), diagnostics) == true ? DefaultMixingAlpha : 0;
        }

        var view = augment.Mapping(key, SpecKeys.Mixing)!;
        return view.Double("alpha", 0, 100, minExclusive: true) ?? DefaultMixingAlpha;
    }

    /// <summary><c>rand_augment: { n, magnitude }</c>, <c>true</c> for the defaults, or false; (0, default) when off.</summary>
    private static (int Ops, int Magnitude) ReadRandAugment(MappingView augment, DiagnosticBag diagnostics)
    {
        var node = augment.Get("rand_augment");
        if (node is null)
        {
            return (0, DefaultRandAugmentMagnitude);
        }

        if (node is not MappingNode)
        {
            return SpecValues.Bool(node, augment.Name("rand_augment"), diagnostics) == true ? (DefaultRandAugmentOps, DefaultRandAugmentMagnitude) : (0, DefaultRandAugmentMagnitude);
        }

        var view = augment.Mapping("rand_augment", SpecKeys.RandAugment)!;
        return (view.Int("n", 1, 14) ?? DefaultRandAugmentOps, view.Int("magnitude", 0, 30) ?? DefaultRandAugmentMagnitude);
    }

    /// <summary>
    /// <c>random_erasing: { p, scale, ratio, value }</c> (torchvision's defaults p 0.5, scale [0.02, 0.33], ratio
    /// [0.3, 3.3], value 0), or <c>true</c> for the defaults; the settings on a default augmentation, or null when off.
    /// </summary>
    private static Augmentation? ReadRandomErasing(MappingView augment, DiagnosticBag diagnostics)
    {
        var node = augment.Get("random_erasing");
        if (node is null)
        {
            return null;
        }

        var defaults = new Augmentation(ErasingProbability: 0.5);
        if (node is not MappingNode)
        {
            return SpecValues.Bool(node, augment.Name("random_erasing"), diagnostics) == true ? defaults : null;
        }

        var view = augment.Mapping("random_erasing", SpecKeys.RandomErasing)!;
        var (scaleLow, scaleHigh) = ReadPair(view, "scale", 0, 1, diagnostics) ?? (defaults.ErasingScaleLow, defaults.ErasingScaleHigh);
        var (ratioLow, ratioHigh) = ReadPair(view, "ratio", 0, 100, diagnostics) ?? (defaults.ErasingRatioLow, defaults.ErasingRatioHigh);
        return defaults with
        {
            ErasingProbability = view.Double("p", 0, 1) ?? defaults.ErasingProbability,
            ErasingScaleLow = scaleLow,
            ErasingScaleHigh = scaleHigh,
            ErasingRatioLow = ratioLow,
            ErasingRatioHigh = ratioHigh,
            ErasingValue = view.Double("value", -1e6, 1e6) ?? defaults.ErasingValue,
        };
    }

    /// <summary>A pair [low, high] with min &lt; low &lt;= high &lt;= max.</summary>
    private static (double Low, double High)? ReadPair(MappingView view, string key, double min, double max, DiagnosticBag diagnostics)
    {
        var node = view.Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is not SequenceNode { Items.Count: 2 } pair)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, view.Name(key), "a pair [low, high]", node.KindName);
            return null;
        }

        return ReadOrderedPair(pair, view.Name(key), min, max, minExclusive: true, diagnostics);
    }
}
