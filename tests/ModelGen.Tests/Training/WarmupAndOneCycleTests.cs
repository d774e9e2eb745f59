using ModelGen.Training;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>schedule.warmup_epochs</c> and <c>schedule: { type: one_cycle }</c> (issue 14): the rate of every optimizer step is
/// the formula's, set by <see cref="PhaseRun.Step"/> before the optimizer steps.
/// </summary>
public sealed class WarmupAndOneCycleTests
{
    private const double Lr = 0.1;

    private static readonly IEqualityComparer<double> Near = EqualityComparer<double>.Create((a, b) => Math.Abs(a - b) <= 1e-12, _ => 0);

    [Fact]
    public void Warmup_RampsLinearlyOverItsSteps_ThenCosineRunsOverTheEpochsLeft()
    {
        // 8 samples in batches of 4: 2 steps an epoch; 2 warmup epochs are 4 steps, then cosine over 3 epochs.
        var rates = RatesOfEachStep(new ScheduleSettings(ScheduleKind.Cosine, WarmupEpochs: 2), epochs: 5, samples: 8, batchSize: 4);

        double[] expected =
        [
            Lr * 1 / 4, Lr * 2 / 4, // warmup: (step + 1) / 4 of the rate
            Lr * 3 / 4, Lr * 4 / 4,
            Lr, Lr, // cosine epoch 0 of 3
            Lr * (1 + Math.Cos(Math.PI / 3)) / 2, Lr * (1 + Math.Cos(Math.PI / 3)) / 2,
            Lr * (1 + Math.Cos(2 * Math.PI / 3)) / 2, Lr * (1 + Math.Cos(2 * Math.PI / 3)) / 2,
        ];
        Assert.Equal(expected, rates, Near);
    }

    [Fact]
    public void Warmup_CountsOptimizerSteps_NotBatches()
    {
        // 12 samples in batches of 2 with 3 batches a step: 6 batches, 2 steps an epoch; 1 warmup epoch is 2 steps.
        var rates = RatesOfEachStep(new ScheduleSettings(ScheduleKind.Constant, WarmupEpochs: 1), epochs: 2, samples: 12, batchSize: 2, accumulate: 3);

        Assert.Equal([Lr / 2, Lr, Lr, Lr], rates, Near);
    }

    [Fact]
    public void Warmup_ThenPlateau_WatchesOnlyTheEpochsAfterTheWarmup()
    {
        using var layer = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(layer.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Create(new ScheduleSettings(ScheduleKind.Plateau, Factor: 0.5, Patience: 1, WarmupEpochs: 2), optimizer, epochs: 6);

        // The warmup's losses get worse (5 then 9), which would have halved the rate had the plateau seen them; after
        // the warmup, 1.0 is the first value and each flat epoch after it halves the rate (patience 1).
        var rates = new List<double>();
        foreach (var loss in new[] { 5.0, 9.0, 1.0, 1.0, 1.0, 1.0 })
        {
            rates.Add(Optimizers.LearningRate(optimizer)); // the rate in force during the epoch
            schedule.Step(loss);
        }

        Assert.Equal([Lr, Lr, Lr, Lr, Lr / 2, Lr / 4], rates, Near);
    }

    [Fact]
    public void OneCycle_GivesPyTorchsClosedFormAtEveryStep()
    {
        // PyTorch's OneCycleLR with total_steps 10, max_lr 0.1, pct_start 0.3, div_factor 25, final_div_factor 1e4,
        // cosine annealing: the first phase ends at step 0.3 · 10 - 1 = 2, the second at step 9.
        const double Max = 0.1, Initial = Max / 25, Min = Initial / 1e4;
        var rates = RatesOfEachStep(new ScheduleSettings(ScheduleKind.OneCycle, MaxLearningRate: Max, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4), epochs: 5, samples: 8, batchSize: 4);

        double[] expected =
        [
            Initial, // step 0: pct 0 of the climb
            Max + ((Initial - Max) / 2 * (1 + Math.Cos(Math.PI * 0.5))), // step 1: half way up, 0.052
            Max, // step 2: the peak
            .. Enumerable.Range(1, 7).Select(k => Min + ((Max - Min) / 2 * (1 + Math.Cos(Math.PI * k / 7)))), // steps 3..9 down to Min
        ];
        Assert.Equal(expected, rates, Near);
        Assert.Equal(0.052, rates[1], 12);
        Assert.Equal(0.09504846320134738, rates[3], 12);
        Assert.Equal(4e-7, rates[^1], 15);
    }

    [Fact]
    public void OneCycle_WithoutMaxLr_PeaksAtTheOptimizersRate_AndTheBackboneKeepsItsRatio()
    {
        using var head = nn.Linear(2, 1);
        using var backbone = nn.Linear(2, 2);
        using var optimizer = Optimizers.Sgd(head.parameters(), backbone.parameters(), lr: Lr, backboneLr: Lr / 10);
        var schedule = LearningRateSchedule.Create(new ScheduleSettings(ScheduleKind.OneCycle), optimizer, epochs: 10);

        Assert.True(schedule.SetsRatePerStep);
        Assert.Equal(new[] { Lr / 25, Lr / 250 }, optimizer.ParamGroups.Select(g => g.LearningRate), Near); // before the first step
        schedule.BeforeOptimizerStep(step: 2, stepsPerEpoch: 1); // 0.3 · 10 - 1 = 2: the peak
        Assert.Equal(new[] { Lr, Lr / 10 }, optimizer.ParamGroups.Select(g => g.LearningRate), Near);
    }

    [Fact]
    public void BeginPhase_RefusesAPerStepScheduleWithoutStepSettings()
    {
        using var temp = new TempFolder();
        using var model = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Create(new ScheduleSettings(ScheduleKind.OneCycle), optimizer, epochs: 2);
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);

        var error = Assert.Throws<ArgumentException>(() => run.BeginPhase("train", epochs: 2, optimizer, schedule, samples: 4));
        Assert.Contains("every optimizer step", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The rate each optimizer step of a phase ran at, stepping a linear layer on batches of ones.</summary>
    private static List<double> RatesOfEachStep(ScheduleSettings settings, int epochs, int samples, int batchSize, int accumulate = 1)
    {
        using var temp = new TempFolder();
        using var model = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Create(settings, optimizer, epochs);
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);
        using var phase = run.BeginPhase("train", epochs, optimizer, schedule, samples, new StepSettings(batchSize, accumulate));

        var rates = new List<double>();
        for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)
        {
            var metrics = phase.BeginEpoch(epoch);
            for (var batch = 0; batch < (samples + batchSize - 1) / batchSize; batch++)
            {
                using var scope = NewDisposeScope();
                phase.Step(model.call(ones(batchSize, 2)).mean());
                if ((batch + 1) % accumulate == 0)
                {
                    rates.Add(Optimizers.LearningRate(optimizer)); // set before the step, in force until the next
                }
            }

            phase.StepRemaining();
            phase.EndEpoch(metrics, validation: null);
        }

        return rates;
    }
}
