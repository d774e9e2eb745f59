using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Early stopping through a generated training loop (spec key <c>training.early_stopping</c> with
/// <c>restore_best</c>): the run stops early, and the model it leaves scores the best epoch's validation
/// loss, not the last epoch's.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GeneratedEarlyStoppingTests
{
    [Fact]
    public void Overfitting_StopsEarly_AndLeavesTheWeightsOfTheBestValidationEpoch()
    {
        // Noise with random labels: the head learns the training set by heart and validation gets worse.
        using var temp = new TempFolder();
        var generator = new Generator(11);
        using var train = Noise(64, generator);
        using var validation = Noise(64, generator);
        using var model = TinyEarlyStopping.Create(new ModelOptions { Device = CPU, Seed = 5 });

        var history = model.Train(train, validation, new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None });

        var losses = history.Epochs.Select(e => e.ValLoss!.Value).ToList();
        var best = losses.IndexOf(losses.Min());
        Assert.True(history.Epochs.Count < 30, $"no early stop: validation losses {string.Join(", ", losses)}");
        Assert.True(best < losses.Count - 1, $"the last epoch was the best, so restoring proves nothing: {string.Join(", ", losses)}");
        var now = ValidationLoss(model, validation);
        Assert.Equal(losses[best], now, 5);
        Assert.True(Math.Abs(now - losses[^1]) > 1e-3, $"the model scores {now}, the last epoch's loss {losses[^1]}");
    }

    private static FeatureSet Noise(int count, Generator generator) =>
        new(randn([count, .. TinyEarlyStopping.FeatureShape], generator: generator), randint(2, [count], generator: generator), ["a", "b"], 0);

    private static double ValidationLoss(TinyEarlyStopping model, FeatureSet validation)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        return nn.functional.cross_entropy(model.ForwardHead(validation.Features), validation.Labels).item<float>();
    }
}
