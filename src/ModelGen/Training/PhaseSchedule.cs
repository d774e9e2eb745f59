namespace ModelGen.Training;

/// <summary>Steps a phase's learning-rate schedule once per epoch, on the validation loss when there is one.</summary>
internal sealed class PhaseSchedule(LearningRateSchedule? schedule)
{
    public void Step(EpochResult epoch) => schedule?.Step(epoch.ValLoss ?? epoch.Loss);

    /// <summary>Steps over the epochs a resumed phase had completed, so the learning rate continues where it was.</summary>
    public void Replay(IEnumerable<EpochResult> completed)
    {
        foreach (var epoch in completed)
        {
            Step(epoch);
        }
    }
}
