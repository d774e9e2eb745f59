using System.Globalization;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>
/// The learning-rate finder's plot as a PNG, drawn as <see cref="TrainingCurves"/> draws curves.png: the loss and the
/// smoothed loss against the learning rate on a log scale, the suggestion marked.
/// </summary>
internal static class LearningRateFinderPlot
{
    public const int Width = 700;
    public const int Height = 450;

    /// <summary>Draws <paramref name="steps"/> into <paramref name="path"/> (written atomically), <paramref name="suggestion"/> marked.</summary>
    public static void Save(IReadOnlyList<LearningRateStep> steps, double? suggestion, string path, string title)
    {
        var png = Render(steps, suggestion, title);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Draws the steps as a PNG of <see cref="Width"/> x <see cref="Height"/> pixels.</summary>
    public static byte[] Render(IReadOnlyList<LearningRateStep> steps, double? suggestion, string title)
    {
        var plot = new ScottPlot.Plot();
        plot.Title($"{title}: learning-rate finder");
        plot.XLabel("learning rate (log scale)");
        plot.YLabel("loss");

        // ScottPlot draws linear axes: the x values are log10(lr), and the ticks name the decades.
        var xs = steps.Select(s => Math.Log10(s.LearningRate)).ToArray();
        var raw = plot.Add.Scatter(xs, steps.Select(s => s.Loss).ToArray());
        raw.LegendText = "loss";
        raw.MarkerSize = 0;
        raw.LineColor = raw.LineColor.WithAlpha(0.35);
        var smoothed = plot.Add.Scatter(xs, steps.Select(s => s.SmoothedLoss).ToArray());
        smoothed.LegendText = "smoothed loss";
        smoothed.MarkerSize = 0;
        smoothed.LineWidth = 2;

        if (suggestion is { } rate)
        {
            var line = plot.Add.VerticalLine(Math.Log10(rate));
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.Text = "suggested " + rate.ToString("G3", CultureInfo.InvariantCulture);
            var at = steps.MinBy(s => Math.Abs(s.LearningRate - rate))!;
            var marker = plot.Add.Marker(Math.Log10(at.LearningRate), at.SmoothedLoss);
            marker.MarkerSize = 10;
        }

        if (xs.Length > 0)
        {
            plot.Axes.Bottom.TickGenerator = DecadeTicks(xs.Min(), xs.Max());
            plot.Axes.SetLimitsY(LowestLoss(steps), HighestShown(steps));
        }

        plot.ShowLegend(ScottPlot.Alignment.UpperLeft); // above the flat start, below the axis' top
        return plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
    }

    // A tick with its power of ten at every decade, minor ticks at 2..9 times each.
    private static ScottPlot.TickGenerators.NumericManual DecadeTicks(double low, double high)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var decade = (int)Math.Floor(low); decade <= (int)Math.Ceiling(high); decade++)
        {
            ticks.AddMajor(decade, "1e" + decade.ToString(CultureInfo.InvariantCulture));
            for (var m = 2; m < 10; m++)
            {
                ticks.AddMinor(decade + Math.Log10(m));
            }
        }

        return ticks;
    }

    private static double LowestLoss(IReadOnlyList<LearningRateStep> steps)
    {
        var low = steps.Min(s => Math.Min(s.Loss, s.SmoothedLoss));
        return low - (0.05 * Math.Max(Math.Abs(low), 1e-3));
    }

    // The diverging tail can be orders of magnitude above the rest: the axis stops a little above the loss at the start.
    private static double HighestShown(IReadOnlyList<LearningRateStep> steps)
    {
        var start = Math.Max(steps[0].Loss, steps[0].SmoothedLoss);
        var high = Math.Min(steps.Max(s => Math.Max(s.Loss, s.SmoothedLoss)), 1.5 * start);
        var low = LowestLoss(steps);
        return high > low ? high + (0.05 * (high - low)) : low + 1;
    }
}
