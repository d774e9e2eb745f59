using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Turns a phase's batches into optimizer steps: gradients add up over <see cref="StepSettings.AccumulateBatches"/>
/// batches (each loss divided by that count, so a group of equal batches steps as one batch that many times as large),
/// then the global norm of the gradients is clipped (<see cref="StepSettings.GradClipNorm"/>), the schedule sets the
/// step's rate, the optimizer steps and the weight average follows. The epoch's last group steps even when it has
/// fewer batches (<see cref="StepRemaining"/>); its gradient is then the sum of its batches' divided by the full count.
/// </summary>
internal sealed class GradientSteps
{
    private readonly optim.Optimizer _optimizer;
    private readonly StepSettings _settings;
    private readonly LearningRateSchedule? _schedule;
    private readonly WeightAverage? _average;
    private readonly List<Parameter> _parameters;
    private long _step;
    private int _pending;

    public GradientSteps(optim.Optimizer optimizer, StepSettings settings, long samples, LearningRateSchedule? schedule, WeightAverage? average)
    {
        if (settings.BatchSize < 1 || settings.AccumulateBatches < 1 || settings.GradClipNorm is <= 0 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "The batch size and the batches per step must be at least 1, and a gradient norm limit above 0.");
        }

        _optimizer = optimizer;
        _settings = settings;
        _schedule = schedule;
        _average = average;
        _parameters = optimizer.parameters().ToList();
        var batches = (Math.Max(1, samples) + settings.BatchSize - 1) / settings.BatchSize;
        StepsPerEpoch = (batches + settings.AccumulateBatches - 1) / settings.AccumulateBatches;
    }

    /// <summary>Optimizer steps in an epoch of the phase's samples, for the schedules that set the rate every step.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>The next optimizer step, from 0 in the phase.</summary>
    public long NextStep => _step;

    /// <summary>Batches whose gradients wait for the next step.</summary>
    public int Pending => _pending;

    /// <summary>Starts epoch <paramref name="epoch"/> (from 0): its first step is the phase's step epoch · steps an epoch, resumed or not.</summary>
    public void BeginEpoch(int epoch)
    {
        _step = epoch * StepsPerEpoch;
        _pending = 0;
    }

    /// <summary>Adds the gradients of one batch's <paramref name="loss"/>; steps when a group of batches is complete.</summary>
    public void Add(Tensor loss)
    {
        if (_pending == 0)
        {
            _optimizer.zero_grad();
        }

        if (_settings.AccumulateBatches == 1)
        {
            loss.backward();
        }
        else
        {
            using var share = loss / _settings.AccumulateBatches;
            share.backward();
        }

        if (++_pending == _settings.AccumulateBatches)
        {
            Apply();
        }
    }

    /// <summary>Steps on the gradients of a group the epoch ended in the middle of.</summary>
    public void StepRemaining()
    {
        if (_pending > 0)
        {
            Apply();
        }
    }

    private void Apply()
    {
        if (_settings.GradClipNorm is { } limit)
        {
            nn.utils.clip_grad_norm_(_parameters, limit);
        }

        _schedule?.BeforeOptimizerStep(_step, StepsPerEpoch);
        _optimizer.step();
        _average?.Update();
        _step++;
        _pending = 0;
    }
}
