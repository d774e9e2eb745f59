namespace ModelGen.Training;

/// <summary>Spec key <c>training.checkpoints</c>: where checkpoints go and how many are kept.</summary>
/// <param name="Directory">The folder (relative to the working directory, or absolute).</param>
/// <param name="Keep">How many of the newest checkpoints to keep.</param>
public sealed record CheckpointSettings(string Directory, int Keep);

/// <summary>Spec key <c>training.early_stopping</c>.</summary>
/// <param name="Monitor">val_loss, val_accuracy, loss or accuracy.</param>
/// <param name="Patience">Epochs without improvement before the phase stops.</param>
/// <param name="RestoreBest">Whether the phase ends with the weights of its best epoch.</param>
/// <param name="MinDelta">The smallest change that counts as an improvement.</param>
public sealed record EarlyStoppingSettings(string Monitor, int Patience, bool RestoreBest, double MinDelta);
