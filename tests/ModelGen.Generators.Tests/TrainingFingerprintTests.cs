using System.Text.RegularExpressions;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The generated <c>TrainingFingerprint</c>, which checkpoints record so that a run resumes only the same
/// training (issue 18 item 2): it changes with what changes how the model trains, and with nothing else.
/// </summary>
public sealed partial class TrainingFingerprintTests
{
    private const string Model = "model: Cats\ninput: { size: 64 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2, activation: softmax }]\n";
    private const string Training = "training: { epochs: 5, batch_size: 16, optimizer: { type: adam, lr: 0.001 }, checkpoints: { dir: ckpt, keep: 3 } }\n";

    [Theory]
    [InlineData("epochs: 5", "epochs: 6")]
    [InlineData("batch_size: 16", "batch_size: 32")]
    [InlineData("lr: 0.001", "lr: 0.0011")]
    [InlineData("type: adam", "type: sgd")]
    [InlineData("keep: 3 }", "keep: 3 }, early_stopping: { monitor: val_loss, patience: 2 }")]
    [InlineData("keep: 3 }", "keep: 3 }, augment: { horizontal_flip: true }")]
    [InlineData("keep: 3 }", "keep: 3 }, validation_split: 0.2")]
    [InlineData("keep: 3 }", "keep: 3 }, label_smoothing: 0.1")]
    [InlineData("keep: 3 }", "keep: 3 }, focal_gamma: 2")]
    [InlineData("keep: 3 }", "keep: 3 }, class_weights: balanced")]
    [InlineData("keep: 3 }", "keep: 3 }, ema: 0.999")]
    [InlineData("keep: 3 }", "keep: 3 }, accumulate_batches: 2")]
    [InlineData("keep: 3 }", "keep: 3 }, grad_clip_norm: 1")]
    [InlineData("keep: 3 }", "keep: 3 }, schedule: { type: cosine }")]
    [InlineData("keep: 3 }", "keep: 3 }, schedule: { type: one_cycle }")]
    public void ChangesWithThePlan(string from, string to) =>
        Assert.NotEqual(FingerprintOf(Model + Training), FingerprintOf(Model + Training.Replace(from, to, StringComparison.Ordinal)));

    [Theory]
    [InlineData("keep: 3", "keep: 5")]
    [InlineData("dir: ckpt", "dir: elsewhere")]
    public void DoesNotChangeWithTheCheckpointSettings(string from, string to) =>
        Assert.Equal(FingerprintOf(Model + Training), FingerprintOf(Model + Training.Replace(from, to, StringComparison.Ordinal)));

    [Theory]
    [InlineData("schedule: { type: cosine }", "schedule: { type: cosine, warmup_epochs: 1 }")]
    [InlineData("schedule: { type: one_cycle }", "schedule: { type: one_cycle, max_lr: 0.01 }")]
    [InlineData("schedule: { type: one_cycle }", "schedule: { type: one_cycle, pct_start: 0.4 }")]
    [InlineData("ema: 0.999", "ema: 0.99")]
    [InlineData("grad_clip_norm: 1", "grad_clip_norm: 2")]
    [InlineData("accumulate_batches: 2", "accumulate_batches: 3")]
    [InlineData("augment: { horizontal_flip: true }", "augment: { horizontal_flip: true, rand_augment: true }")]
    [InlineData("augment: { rand_augment: true }", "augment: { rand_augment: { n: 2, magnitude: 10 } }")]
    [InlineData("augment: { rand_augment: true }", "augment: { rand_augment: { n: 3 } }")]
    [InlineData("augment: { horizontal_flip: true }", "augment: { horizontal_flip: true, trivial_augment: true }")]
    [InlineData("augment: { horizontal_flip: true }", "augment: { horizontal_flip: true, random_erasing: true }")]
    [InlineData("augment: { random_erasing: true }", "augment: { random_erasing: { p: 0.25 } }")]
    [InlineData("augment: { random_erasing: true }", "augment: { random_erasing: { scale: [0.02, 0.2] } }")]
    [InlineData("augment: { random_erasing: true }", "augment: { random_erasing: { value: 1 } }")]
    [InlineData("augment: { horizontal_flip: true }", "augment: { horizontal_flip: true, mixup: true }")]
    [InlineData("augment: { mixup: true }", "augment: { mixup: { alpha: 0.2 } }")]
    [InlineData("augment: { mixup: true }", "augment: { cutmix: true }")]
    [InlineData("augment: { mixup: true }", "augment: { mixup: true, cutmix: true }")]
    [InlineData("augment: { cutmix: true }", "augment: { cutmix: true, mix_probability: 0.5 }")]
    public void ChangesWithTheOptimisationSettings(string from, string to)
    {
        var spec = Model + Training.Replace("keep: 3 }", "keep: 3 }, " + from, StringComparison.Ordinal);
        Assert.NotEqual(FingerprintOf(spec), FingerprintOf(spec.Replace(from, to, StringComparison.Ordinal)));
    }

    [Fact]
    public void IsPassedToEveryRun_WithTheShapeAndTheData()
    {
        var sources = GeneratorHarness.Run(("cats.model.yaml", Model + Training)).ModelSources;

        Assert.Contains("new global::ModelGen.Training.RunIdentity(Fingerprint, TrainingFingerprint, data)", sources);
        Assert.Contains("StartRun(trainOptions, global::ModelGen.Runtime.ModelRuntime.DataIdentity(train, validation))", sources);
        Assert.Contains("StartRun(trainOptions, global::ModelGen.Runtime.ModelRuntime.DataIdentity(data))", sources);
    }

    private static string FingerprintOf(string spec)
    {
        var run = GeneratorHarness.Run(("cats.model.yaml", spec));
        Assert.Empty(run.Diagnostics);
        return FingerprintConstant().Match(run.ModelSources) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("no TrainingFingerprint in the generated code");
    }

    [GeneratedRegex("private const string TrainingFingerprint = \"([0-9a-f]{16})\";")]
    private static partial Regex FingerprintConstant();
}
