using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// How the learning rate changes over a phase (spec key: <c>schedule</c>). Step, cosine and plateau are stepped once
/// per epoch (<see cref="Step(double)"/>); a warmup and the one-cycle schedule also set the rate before every optimizer
/// step, which <see cref="PhaseRun.Step"/> does.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class LearningRateSchedule
{
    private readonly optim.lr_scheduler.LRScheduler? _scheduler;
    private readonly Action<double>? _onMetric;
    private readonly PerStep? _perStep;

    private LearningRateSchedule(string description, optim.lr_scheduler.LRScheduler? scheduler, Action<double>? onMetric, PerStep? perStep = null)
    {
        Description = description;
        _scheduler = scheduler;
        _onMetric = onMetric;
        _perStep = perStep;
    }

    /// <summary>What the schedule does, in words.</summary>
    public string Description { get; }

    /// <summary>Whether the rate is set before every optimizer step (a warmup, or one-cycle), so the phase must count its steps.</summary>
    internal bool SetsRatePerStep => _perStep is not null;

    /// <summary>The schedule <paramref name="settings"/> describe, over a phase of <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Create(ScheduleSettings settings, optim.Optimizer optimizer, int epochs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Kind == ScheduleKind.OneCycle)
        {
            return OneCycle(optimizer, epochs, settings.MaxLearningRate, settings.PctStart, settings.DivFactor, settings.FinalDivFactor);
        }

        if (settings.WarmupEpochs > 0)
        {
            // The schedule runs over the epochs after the warmup, from the base rate the warmup ends at.
            var rest = Math.Max(1, epochs - settings.WarmupEpochs);
            return Warmup(optimizer, settings.WarmupEpochs, () => ByEpoch(settings, optimizer, rest), Words(settings, rest));
        }

        return ByEpoch(settings, optimizer, epochs);
    }

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public static LearningRateSchedule Step(optim.Optimizer optimizer, int stepSize, double gamma) =>
        new(StepWords(stepSize, gamma), optim.lr_scheduler.StepLR(optimizer, stepSize, gamma), null);

    /// <summary>Cosine annealing from the set rate down to <paramref name="minLr"/> over <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Cosine(optim.Optimizer optimizer, int epochs, double minLr) =>
        new(CosineWords(epochs, minLr), optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs, minLr), null);

    /// <summary>Multiplies the rate by <paramref name="factor"/> when the monitored loss has not improved for <paramref name="patience"/> epochs.</summary>
    public static LearningRateSchedule Plateau(optim.Optimizer optimizer, double factor, int patience, double minLr)
    {
        // TorchSharp, like PyTorch, reduces only when more than `patience` epochs have not improved; the
        // spec's patience is Keras' (and early_stopping's): the rate drops once `patience` epochs have not.
        var scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", factor, Math.Max(0, patience - 1), min_lr: [minLr]);
        return new(PlateauWords(factor, patience), null, metric => scheduler.step(metric));
    }

    /// <summary>
    /// Linear warmup over the optimizer steps of the first <paramref name="warmupEpochs"/> epochs (each parameter
    /// group from its rate / n up to its rate, n the warmup's steps), then the schedule <paramref name="then"/>
    /// makes, created when the warmup ends so that it starts from the base rates.
    /// </summary>
    internal static LearningRateSchedule Warmup(optim.Optimizer optimizer, int warmupEpochs, Func<LearningRateSchedule> then, string thenWords)
    {
        var warmup = new WarmupSteps(optimizer, warmupEpochs, then);
        return new($"linear warmup over {warmupEpochs} epochs, then {thenWords}", null, warmup.EndEpoch, warmup);
    }

    /// <summary>
    /// PyTorch's <c>OneCycleLR</c> over <paramref name="epochs"/> epochs of steps, learning rate only (momentum is not
    /// cycled). <paramref name="maxLr"/> null means the optimizer's rate; each parameter group peaks at its own rate
    /// times max_lr over the head's rate, so a backbone's smaller rate keeps its ratio.
    /// </summary>
    internal static LearningRateSchedule OneCycle(optim.Optimizer optimizer, int epochs, double? maxLr, double pctStart, double divFactor, double finalDivFactor)
    {
        var cycle = new OneCycleSteps(optimizer, epochs, maxLr, pctStart, divFactor, finalDivFactor);
        return new($"one cycle over {epochs} epochs, peak {cycle.Peak} after {pctStart:0.##} of the steps", null, _ => { }, cycle);
    }

    /// <summary>Advances one epoch; plateau schedules watch <paramref name="loss"/> (validation loss when there is one).</summary>
    public void Step(double loss)
    {
        if (_onMetric is not null)
        {
            _onMetric(loss);
        }
        else
        {
            _scheduler?.step();
        }
    }

    /// <summary>Sets the rate for optimizer step <paramref name="step"/> (from 0 in the phase) of a phase with <paramref name="stepsPerEpoch"/> steps an epoch.</summary>
    internal void BeforeOptimizerStep(long step, long stepsPerEpoch) => _perStep?.Set(step, Math.Max(1, stepsPerEpoch));

    private static LearningRateSchedule ByEpoch(ScheduleSettings settings, optim.Optimizer optimizer, int epochs) => settings.Kind switch
    {
        ScheduleKind.Step => Step(optimizer, settings.StepSize, settings.Gamma),
        ScheduleKind.Cosine => Cosine(optimizer, epochs, settings.MinLearningRate),
        ScheduleKind.Plateau => Plateau(optimizer, settings.Factor, settings.Patience, settings.MinLearningRate),
        ScheduleKind.Constant => new(Words(settings, epochs), null, null),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "Unknown schedule."),
    };

    private static string Words(ScheduleSettings settings, int epochs) => settings.Kind switch
    {
        ScheduleKind.Step => StepWords(settings.StepSize, settings.Gamma),
        ScheduleKind.Cosine => CosineWords(epochs, settings.MinLearningRate),
        ScheduleKind.Plateau => PlateauWords(settings.Factor, settings.Patience),
        _ => "constant",
    };

    private static string StepWords(int stepSize, double gamma) => $"step: x{gamma} every {stepSize} epochs";

    private static string CosineWords(int epochs, double minLr) => $"cosine over {epochs} epochs to {minLr}";

    private static string PlateauWords(double factor, int patience) => $"reduce on plateau: x{factor} after {patience} epochs";

    private static double[] RatesOf(optim.Optimizer optimizer) => optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

    private static void SetRates(optim.Optimizer optimizer, Func<int, double> rate)
    {
        var i = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate(i++);
        }
    }

    /// <summary>What sets the rate before each optimizer step.</summary>
    private abstract class PerStep
    {
        public abstract void Set(long step, long stepsPerEpoch);
    }

    private sealed class WarmupSteps(optim.Optimizer optimizer, int warmupEpochs, Func<LearningRateSchedule> then) : PerStep
    {
        private readonly double[] _base = RatesOf(optimizer);
        private LearningRateSchedule? _after;
        private int _epochsDone;

        public override void Set(long step, long stepsPerEpoch)
        {
            if (_epochsDone < warmupEpochs)
            {
                var share = LearningRateFormulas.Warmup(step, warmupEpochs * stepsPerEpoch);
                SetRates(optimizer, i => _base[i] * share);
            }
        }

        public void EndEpoch(double loss)
        {
            _epochsDone++;
            if (_epochsDone == warmupEpochs)
            {
                SetRates(optimizer, i => _base[i]);
                _after = then();
            }
            else if (_epochsDone > warmupEpochs)
            {
                _after?.Step(loss);
            }
        }
    }

    private sealed class OneCycleSteps : PerStep
    {
        private readonly optim.Optimizer _optimizer;
        private readonly int _epochs;
        private readonly double[] _peaks;
        private readonly double _pctStart;
        private readonly double _divFactor;
        private readonly double _finalDivFactor;

        public OneCycleSteps(optim.Optimizer optimizer, int epochs, double? maxLr, double pctStart, double divFactor, double finalDivFactor)
        {
            _optimizer = optimizer;
            _epochs = Math.Max(1, epochs);
            var rates = RatesOf(optimizer);
            var head = rates.Length > 0 ? rates[0] : 0;
            _peaks = rates.Select(r => maxLr is { } peak && head > 0 ? peak * r / head : r).ToArray();
            _pctStart = pctStart;
            _divFactor = divFactor;
            _finalDivFactor = finalDivFactor;

            // Until the first step, the rate in force is the cycle's first.
            SetRates(optimizer, i => _peaks[i] / divFactor);
        }

        public double Peak => _peaks.Length > 0 ? _peaks[0] : 0;

        public override void Set(long step, long stepsPerEpoch) =>
            SetRates(_optimizer, i => LearningRateFormulas.OneCycle(step, _epochs * stepsPerEpoch, _peaks[i], _pctStart, _divFactor, _finalDivFactor));
    }
}
