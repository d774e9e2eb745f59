using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>How the learning rate changes over a phase (spec key: <c>schedule</c>); stepped once per epoch.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class LearningRateSchedule
{
    private readonly optim.lr_scheduler.LRScheduler? _scheduler;
    private readonly Action<double>? _onMetric;

    private LearningRateSchedule(string description, optim.lr_scheduler.LRScheduler? scheduler, Action<double>? onMetric)
    {
        Description = description;
        _scheduler = scheduler;
        _onMetric = onMetric;
    }

    /// <summary>What the schedule does, in words.</summary>
    public string Description { get; }

    /// <summary>The schedule <paramref name="settings"/> describe, over a phase of <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Create(ScheduleSettings settings, optim.Optimizer optimizer, int epochs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Kind switch
        {
            ScheduleKind.Step => Step(optimizer, settings.StepSize, settings.Gamma),
            ScheduleKind.Cosine => Cosine(optimizer, epochs, settings.MinLearningRate),
            ScheduleKind.Plateau => Plateau(optimizer, settings.Factor, settings.Patience, settings.MinLearningRate),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "Unknown schedule."),
        };
    }

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public static LearningRateSchedule Step(optim.Optimizer optimizer, int stepSize, double gamma) =>
        new($"step: x{gamma} every {stepSize} epochs", optim.lr_scheduler.StepLR(optimizer, stepSize, gamma), null);

    /// <summary>Cosine annealing from the set rate down to <paramref name="minLr"/> over <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Cosine(optim.Optimizer optimizer, int epochs, double minLr) =>
        new($"cosine over {epochs} epochs to {minLr}", optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs, minLr), null);

    /// <summary>Multiplies the rate by <paramref name="factor"/> when the monitored loss has not improved for <paramref name="patience"/> epochs.</summary>
    public static LearningRateSchedule Plateau(optim.Optimizer optimizer, double factor, int patience, double minLr)
    {
        // TorchSharp, like PyTorch, reduces only when more than `patience` epochs have not improved; the
        // spec's patience is Keras' (and early_stopping's): the rate drops once `patience` epochs have not.
        var scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", factor, Math.Max(0, patience - 1), min_lr: [minLr]);
        return new($"reduce on plateau: x{factor} after {patience} epochs", null, metric => scheduler.step(metric));
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
            _scheduler!.step();
        }
    }
}
