using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A generated model with <c>training.ema</c> (issue 14): it trains exactly as without it, validation scores the
/// averaged weights, and the trained (and saved) model holds them.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GeneratedEmaTests
{
    [Fact]
    public void AModelWithEma_ValidatesAndEvaluatesWithTheAveragedWeights_AndSavesThem()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 20, temp["train"]);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None };

        using var averaged = TinyEma.Create(options);
        using var features = averaged.Extract(train);
        using var validation = averaged.Extract(FashionData.Validation);
        var history = averaged.Train(features, validation, trainOptions with { OutputDirectory = temp["ema"] });

        using var plain = TinyEmaPlain.Create(options);
        var plainHistory = plain.Train(features, validation, trainOptions with { OutputDirectory = temp["plain"] });

        // The average does not change training: the training losses (of the trained weights) are the same.
        Assert.Equal(plainHistory.Epochs.Select(e => e.Loss), history.Epochs.Select(e => e.Loss));

        // The last epoch's validation scored the averaged weights, which the trained model now holds ...
        var lastValidation = history.Epochs[^1].ValLoss!.Value;
        var evaluated = averaged.Evaluate(FashionData.Validation).Loss;
        Assert.Equal(lastValidation, evaluated, 4);

        // ... and they are not the trained weights, which the model without an average ends with.
        var trainedWeightsLoss = plain.Evaluate(FashionData.Validation).Loss;
        Assert.Equal(plainHistory.Epochs[^1].ValLoss!.Value, trainedWeightsLoss, 4);
        Assert.True(Math.Abs(evaluated - trainedWeightsLoss) > 1e-3, $"averaged {evaluated:0.0000}, trained {trainedWeightsLoss:0.0000}");

        // A saved model is the averaged one.
        averaged.Save(temp["ema.mgmodel"]);
        using var loaded = TinyEma.Load(temp["ema.mgmodel"], options);
        Assert.Equal(evaluated, loaded.Evaluate(FashionData.Validation).Loss, 5);
    }
}
