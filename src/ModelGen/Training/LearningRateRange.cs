namespace ModelGen.Training;

/// <summary>
/// The arithmetic of the learning-rate range test (Smith 2015, "Cyclical Learning Rates for Training Neural Networks";
/// fastai's <c>lr_find</c>): the rates, the smoothed loss and the suggestion, apart from any training.
/// </summary>
internal static class LearningRateRange
{
    /// <summary>Steps left out at the end of the curve before suggesting (they lead into the divergence), as fastai.</summary>
    public const int SkippedAtEnd = 5;

    /// <summary>The rate of every step: start · (end / start)^(i / (steps − 1)), i = 0 .. steps − 1, so the first is start and the last end.</summary>
    public static double[] Rates(double start, double end, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        var ratio = end / start;
        return Enumerable.Range(0, steps).Select(i => i == steps - 1 ? end : start * Math.Pow(ratio, i / (double)(steps - 1))).ToArray();
    }

    /// <summary>The smoothed loss of every step of <paramref name="losses"/> (see <see cref="Smoother"/>).</summary>
    public static double[] Smooth(IEnumerable<double> losses, double beta)
    {
        var smoother = new Smoother(beta);
        return losses.Select(smoother.Add).ToArray();
    }

    /// <summary>
    /// The index of the suggested step: the start k of the segment (k, k + 1) where the smoothed loss falls fastest
    /// against ln(lr), (s[k+1] − s[k]) / (ln lr[k+1] − ln lr[k]) the lowest, among the steps from
    /// ⌊<paramref name="plannedSteps"/> / 10⌋ to the last but <see cref="SkippedAtEnd"/> (the whole curve when that
    /// leaves fewer than two); null when the smoothed loss never falls there.
    /// </summary>
    public static int? SteepestDescent(IReadOnlyList<double> rates, IReadOnlyList<double> smoothed, int plannedSteps)
    {
        var count = Math.Min(rates.Count, smoothed.Count);
        var (first, last) = (plannedSteps / 10, count - 1 - SkippedAtEnd);
        if (last - first < 1)
        {
            (first, last) = (0, count - 1);
        }

        int? best = null;
        var steepest = 0.0;
        for (var k = first; k < last; k++)
        {
            var slope = (smoothed[k + 1] - smoothed[k]) / (Math.Log(rates[k + 1]) - Math.Log(rates[k]));
            if (slope < steepest)
            {
                (best, steepest) = (k, slope);
            }
        }

        return best;
    }

    /// <summary>
    /// The loss's exponential moving average with fastai's bias correction: a_i = β a_(i−1) + (1 − β) loss_i from
    /// a_(−1) = 0, and the smoothed value a_i / (1 − β^(i+1)), so the first equals the first loss.
    /// </summary>
    public sealed class Smoother(double beta)
    {
        private double _average;
        private int _count;

        /// <summary>Adds the next loss; returns the smoothed loss up to it.</summary>
        public double Add(double loss)
        {
            _count++;
            _average = (beta * _average) + ((1 - beta) * loss);
            return _average / (1 - Math.Pow(beta, _count));
        }
    }
}
