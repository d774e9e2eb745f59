using ModelGen.Training;
using ModelGen.Tests.Infrastructure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>training.ema</c> (issue 14): after each optimizer step the average is decay · average + (1 - decay) · weight;
/// validation sees the averaged weights and training goes on from its own; the finished model holds the average; a
/// checkpoint carries it, so a resumed run ends exactly where an uninterrupted one does.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class WeightAverageTests
{
    private const double Decay = 0.8;

    [Fact]
    public void AfterKSteps_TheAverageIsTheRecurrenceOverTheWeightsEachStepLeft()
    {
        using var temp = new TempFolder();
        using var model = TinyHead(seed: 2);
        var (inputs, labels) = Batch(count: 12);
        using var optimizer = optim.SGD(model.parameters(), 0.5);
        using var run = TrainingRun.Start(model, "Tiny", Options(temp), checkpoints: null, earlyStopping: null, seed: 1, ema: new EmaSettings(Decay));
        using var phase = run.BeginPhase("train", epochs: 1, optimizer, schedule: null, samples: 12, new StepSettings(BatchSize: 3));

        // The recurrence, in double, from the weights before the first step and after each of the 4 steps.
        var expected = Weights(model).Select(w => w.Select(x => (double)x).ToArray()).ToList();
        var metrics = phase.BeginEpoch(0);
        for (var start = 0; start < 12; start += 3)
        {
            using (var scope = NewDisposeScope())
            {
                phase.Step(nn.functional.cross_entropy(model.call(inputs.narrow(0, start, 3)), labels.narrow(0, start, 3)));
            }

            var after = Weights(model);
            for (var p = 0; p < expected.Count; p++)
            {
                expected[p] = expected[p].Zip(after[p], (e, w) => (Decay * e) + ((1 - Decay) * w)).ToArray();
            }
        }

        var trained = Weights(model);
        var averaged = phase.WithAveragedWeights(() => Weights(model));

        for (var p = 0; p < expected.Count; p++)
        {
            Assert.Equal(expected[p].Select(x => (float)x), averaged[p], FloatNear(1e-6));
            Assert.NotEqual(trained[p], averaged[p]);
        }

        Assert.Equal(trained, Weights(model)); // validation is over: the trained weights are back

        phase.EndEpoch(metrics, validation: null);
        run.Finish();
        Assert.Equal(averaged, Weights(model)); // the finished model is the averaged one
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestEpochsAveragedWeights_AndTheAverageGoesOnFromThem()
    {
        using var temp = new TempFolder();
        using var model = TinyHead(seed: 4);
        var (inputs, labels) = Batch(count: 6);
        using var optimizer = optim.SGD(model.parameters(), 0.5);
        var earlyStopping = new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 1, RestoreBest: true, MinDelta: 0);
        using var run = TrainingRun.Start(model, "Tiny", Options(temp), checkpoints: null, earlyStopping, seed: 1, ema: new EmaSettings(Decay));
        using var phase = run.BeginPhase("train", epochs: 5, optimizer, schedule: null, samples: 6, new StepSettings(BatchSize: 3));

        // Validation losses 1.0, then 2.0: the first epoch is the best, and the phase stops after the second.
        var averagedAfterFirst = new List<float[]>();
        foreach (var (epoch, validationLoss) in new[] { (0, 1.0), (1, 2.0) })
        {
            var metrics = phase.BeginEpoch(epoch);
            for (var start = 0; start < 6; start += 3)
            {
                using var scope = NewDisposeScope();
                phase.Step(nn.functional.cross_entropy(model.call(inputs.narrow(0, start, 3)), labels.narrow(0, start, 3)));
            }

            if (epoch == 0)
            {
                averagedAfterFirst = phase.WithAveragedWeights(() => Weights(model));
            }

            var goOn = phase.EndEpoch(metrics, new EvaluationResult(["a", "b", "c"], new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, validationLoss, 0));
            Assert.Equal(epoch == 0, goOn);
        }

        Assert.Equal(averagedAfterFirst, Weights(model)); // the best epoch's averaged weights, not its trained ones
        Assert.Equal(averagedAfterFirst, phase.WithAveragedWeights(() => Weights(model)));
        run.Finish();
        Assert.Equal(averagedAfterFirst, Weights(model));
    }

    [Fact]
    public void AResumedRun_EndsWithTheSameWeightsAsOneThatRanThrough()
    {
        // Warmup, accumulation, clipping, momentum and the average: everything a resume has to continue exactly.
        using var temp = new TempFolder();
        using var through = TinyHead(seed: 9);
        RunEpochs(through, temp["through"], resume: false, stopAfter: null);

        using var resumed = TinyHead(seed: 9);
        RunEpochs(resumed, temp["resumed"], resume: false, stopAfter: 2); // stops as a crash would, after epoch 2's checkpoint
        using var again = TinyHead(seed: 9);
        RunEpochs(again, temp["resumed"], resume: true, stopAfter: null);

        // A resumed run that started its average again from epoch 2's weights would end elsewhere.
        Assert.Equal(Weights(through), Weights(again));
    }

    private static void RunEpochs(Linear model, string checkpoints, bool resume, int? stopAfter)
    {
        var (inputs, labels) = Batch(count: 10);
        var options = new TrainOptions { OutputDirectory = Path.Combine(checkpoints, "out"), Progress = ProgressMode.None, Resume = resume };
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.2, momentum: 0.9);
        var schedule = LearningRateSchedule.Create(new ScheduleSettings(ScheduleKind.Cosine, WarmupEpochs: 1), optimizer, epochs: 4);
        using var run = TrainingRun.Start(model, "Tiny", options, new CheckpointSettings(checkpoints, Keep: 5), earlyStopping: null, seed: 1, ema: new EmaSettings(Decay));
        using var phase = run.BeginPhase("train", epochs: 4, optimizer, schedule, samples: 10, new StepSettings(BatchSize: 2, AccumulateBatches: 2, GradClipNorm: 0.5));
        for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)
        {
            var metrics = phase.BeginEpoch(epoch);
            for (var start = 0; start < 10; start += 2)
            {
                using var scope = NewDisposeScope();
                phase.Step(nn.functional.cross_entropy(model.call(inputs.narrow(0, start, 2)), labels.narrow(0, start, 2)));
            }

            phase.StepRemaining();
            phase.EndEpoch(metrics, validation: null);
            if (epoch + 1 == stopAfter)
            {
                return; // no Finish: the model keeps its trained weights, as after a crash
            }
        }

        run.Finish();
    }

    private static TrainOptions Options(TempFolder temp) => new() { OutputDirectory = temp["out"], Progress = ProgressMode.None };

    private static List<float[]> Weights(nn.Module model) => model.parameters().Select(p => p.data<float>().ToArray()).ToList();

    private static Linear TinyHead(int seed)
    {
        manual_seed(seed);
        return nn.Linear(6, 3);
    }

    private static (Tensor Inputs, Tensor Labels) Batch(int count)
    {
        using var generator = new Generator(17);
        return (randn([count, 6], generator: generator) * 2, randint(0, 3, [count], generator: generator));
    }

    private static IEqualityComparer<float> FloatNear(double tolerance) =>
        EqualityComparer<float>.Create((a, b) => Math.Abs(a - b) <= tolerance, _ => 0);
}
