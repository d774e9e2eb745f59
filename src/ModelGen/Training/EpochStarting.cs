using static TorchSharp.torch;

namespace ModelGen.Training;

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
