using System.Diagnostics;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// In-process observation of a training run, the way ASP.NET Core and HttpClient offer theirs: a
/// <see cref="DiagnosticListener"/> named <see cref="ListenerName"/> that profilers and debuggers subscribe to
/// (<see cref="DiagnosticListener.AllListeners"/>). It writes <see cref="EpochStartingName"/> as each epoch starts, with
/// an <see cref="EpochStarting"/> payload: the live model and optimizer, so that a subscriber can look at what
/// trains and what the optimizer holds (for example, that a resumed run starts its epoch exactly as the run it
/// continues would have). Nothing is computed while no one listens.
/// </summary>
internal static class TrainingDiagnostics
{
    /// <summary>The listener's name.</summary>
    public const string ListenerName = "ModelGen.Training";

    /// <summary>The event written when an epoch starts, before its first batch.</summary>
    public const string EpochStartingName = "ModelGen.Training.EpochStarting";

    private static readonly DiagnosticListener Listener = new(ListenerName);

    /// <summary>Writes <see cref="EpochStartingName"/> when someone listens for it.</summary>
    public static void OnEpochStarting(Func<EpochStarting> payload)
    {
        if (Listener.IsEnabled(EpochStartingName))
        {
            Listener.Write(EpochStartingName, payload());
        }
    }
}

/// <summary>The payload of <see cref="TrainingDiagnostics.EpochStartingName"/>: the run as the epoch's first batch will find it.</summary>
/// <param name="Model">The generated class's name.</param>
/// <param name="Phase">The phase.</param>
/// <param name="Epoch">The epoch about to run, from 0.</param>
/// <param name="Network">The model: its parameters (which train), modules (their train/eval modes) and weights.</param>
/// <param name="Optimizer">The phase's optimizer: its parameter groups, learning rates and state.</param>
/// <param name="Average">The weight average (<c>training.ema</c>), or null.</param>
/// <param name="EarlyStopping">Early stopping's progress in the phase.</param>
/// <param name="NextStep">The optimizer step the epoch starts at, from 0 in the phase (gradient accumulation and per-step schedules count it); null when the phase does not count steps.</param>
/// <param name="PendingBatches">Batches whose gradients wait for the next step (gradient accumulation); 0 at the start of an epoch.</param>
internal sealed record EpochStarting(
    string Model,
    string Phase,
    int Epoch,
    nn.Module Network,
    optim.Optimizer Optimizer,
    WeightAverage? Average,
    EarlyStoppingProgress EarlyStopping,
    long? NextStep,
    int PendingBatches);
