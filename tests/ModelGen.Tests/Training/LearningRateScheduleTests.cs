using ModelGen.Training;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The learning-rate schedules of the spec (<c>schedule</c>): the rate of every epoch is the formula's,
/// in the optimizer and in the history a phase records.
/// </summary>
public sealed class LearningRateScheduleTests
{
    private const double Lr = 0.1;

    private static readonly IEqualityComparer<double> Near = EqualityComparer<double>.Create((a, b) => Math.Abs(a - b) <= 1e-12, _ => 0);

    [Fact]
    public void Step_MultipliesByGammaEveryStepSizeEpochs()
    {
        using var layer = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(layer.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Step(optimizer, stepSize: 3, gamma: 0.5);

        var rates = RatesOver(optimizer, schedule, Enumerable.Repeat(1.0, 8));

        // lr * gamma^floor(epoch / step_size), epochs from 0.
        double[] expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025];
        Assert.Equal(expected, rates, Near);
    }

    [Fact]
    public void Cosine_FollowsTheHalfCosineFromTheRateToMinLr()
    {
        using var layer = nn.Linear(2, 1);
        using var optimizer = Optimizers.Adam(layer.parameters(), [], lr: Lr);
        const int Epochs = 5;
        const double MinLr = 0.01;
        var schedule = LearningRateSchedule.Cosine(optimizer, Epochs, MinLr);

        // One step more than the phase has epochs: the rate after the last one is min_lr.
        var rates = RatesOver(optimizer, schedule, Enumerable.Repeat(1.0, Epochs + 1));

        var expected = Enumerable.Range(0, Epochs + 1).Select(t => MinLr + ((Lr - MinLr) * (1 + Math.Cos(Math.PI * t / Epochs)) / 2));
        Assert.Equal(expected, rates, Near);
        Assert.Equal(MinLr, rates[^1], 12);
    }

    [Fact]
    public void Plateau_ReducesAfterPatienceEpochsWithoutImprovement_AndStopsAtMinLr()
    {
        using var layer = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(layer.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Plateau(optimizer, factor: 0.5, patience: 2, minLr: 0.02);

        // Epoch losses: improving, then flat. Each rate is the one in force during that epoch.
        double[] losses = [1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
        var rates = RatesOver(optimizer, schedule, losses);

        // Epochs 3 and 4 do not improve on 0.8: 2 epochs (patience) → halved from epoch 5 on; two more
        // flat epochs → halved again from epoch 7; then 0.0125 would be below min_lr, so 0.02 stays.
        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02];
        Assert.Equal(expected, rates, Near);
    }

    [Fact]
    public void Plateau_AnImprovementResetsTheWait()
    {
        using var layer = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(layer.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Plateau(optimizer, factor: 0.1, patience: 2, minLr: 0);

        // One bad epoch, then a new best: the count starts again, so only the two bad epochs after it reduce.
        double[] losses = [1.0, 1.1, 0.9, 0.95, 0.97, 0.96];
        var rates = RatesOver(optimizer, schedule, losses);

        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.1, 0.01];
        Assert.Equal(expected, rates, Near);
    }

    [Fact]
    public void Step_AppliesToTheBackbonesOwnRateToo()
    {
        using var head = nn.Linear(2, 1);
        using var backbone = nn.Linear(2, 2);
        using var optimizer = Optimizers.Sgd(head.parameters(), backbone.parameters(), lr: Lr, backboneLr: 0.01);
        var schedule = LearningRateSchedule.Step(optimizer, stepSize: 1, gamma: 0.1);

        schedule.Step(1.0);
        schedule.Step(1.0);

        Assert.Equal(new[] { 0.001, 0.0001 }, optimizer.ParamGroups.Select(g => g.LearningRate), Near);
    }

    [Fact]
    public void PhaseHistory_RecordsTheRateUsedInEachEpoch()
    {
        using var temp = new TempFolder();
        using var model = nn.Linear(2, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: Lr);
        var schedule = LearningRateSchedule.Step(optimizer, stepSize: 2, gamma: 0.1);
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);
        using var phase = run.BeginPhase("train", epochs: 5, optimizer, schedule, samples: 1);

        for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)
        {
            phase.EndEpoch(phase.BeginEpoch(epoch), validation: null);
        }

        Assert.Equal(new[] { 0.1, 0.1, 0.01, 0.01, 0.001 }, run.History.Epochs.Select(e => e.LearningRate), Near);
    }

    /// <summary>The rate in force for each epoch, stepping the schedule with that epoch's loss after it.</summary>
    private static List<double> RatesOver(optim.Optimizer optimizer, LearningRateSchedule schedule, IEnumerable<double> losses)
    {
        var rates = new List<double>();
        foreach (var loss in losses)
        {
            rates.Add(Optimizers.LearningRate(optimizer));
            schedule.Step(loss);
        }

        return rates;
    }
}
