namespace ModelGen.Training;

/// <summary>
/// The closed forms of the schedules that set the rate before every optimizer step: linear warmup and PyTorch's
/// OneCycleLR (cosine annealing, two phases). Steps count from 0 within a phase.
/// </summary>
internal static class LearningRateFormulas
{
    /// <summary>
    /// The share of the base rate at warmup step <paramref name="step"/> of <paramref name="warmupSteps"/>:
    /// (step + 1) / warmupSteps, so the first step runs at base / n and the last warmup step at the base rate.
    /// </summary>
    public static double Warmup(long step, long warmupSteps) =>
        warmupSteps <= 0 ? 1 : Math.Min(1.0, (step + 1) / (double)warmupSteps);

    /// <summary>
    /// PyTorch's <c>OneCycleLR</c> (<c>anneal_strategy='cos'</c>, <c>three_phase=False</c>) at step
    /// <paramref name="step"/> of <paramref name="totalSteps"/>: from <c>max_lr / div_factor</c> up to
    /// <paramref name="maxLr"/> by step <c>pct_start · total - 1</c>, then down to
    /// <c>max_lr / (div_factor · final_div_factor)</c> at the last step, each part half a cosine.
    /// Steps past the last keep the last rate.
    /// </summary>
    public static double OneCycle(long step, long totalSteps, double maxLr, double pctStart, double divFactor, double finalDivFactor)
    {
        var initial = maxLr / divFactor;
        var minimum = initial / finalDivFactor;
        var last = Math.Max(0, totalSteps - 1);
        var t = (double)Math.Clamp(step, 0, last);
        var peak = (pctStart * totalSteps) - 1; // PyTorch's end of the first phase, a float
        if (t <= peak)
        {
            return CosineAnneal(initial, maxLr, peak <= 0 ? 1 : t / peak);
        }

        var span = last - peak;
        return CosineAnneal(maxLr, minimum, span <= 0 ? 1 : (t - peak) / span);
    }

    /// <summary>Half a cosine from <paramref name="start"/> (at 0) to <paramref name="end"/> (at 1).</summary>
    private static double CosineAnneal(double start, double end, double fraction) =>
        end + ((start - end) / 2 * (Math.Cos(Math.PI * fraction) + 1));
}
