using ModelGen.Storage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelGen.Training;

/// <summary>
/// Training curves as a PNG: loss on the left, accuracy on the right (for a regression model, which has no accuracy,
/// the mean absolute error), training and validation, phases marked.
/// </summary>
internal static class TrainingCurves
{
    /// <summary>Draws <paramref name="history"/> into <paramref name="path"/> (written atomically); returns the PNG's bytes.</summary>
    public static byte[] Save(TrainingHistory history, string path, string title)
    {
        var png = Render(history, title);
        AtomicFile.Write(path, stream => stream.Write(png));
        return png;
    }

    /// <summary>Draws <paramref name="history"/> as a PNG.</summary>
    public static byte[] Render(TrainingHistory history, string title)
    {
        const int width = 700;
        const int height = 450;
        var epochs = history.Epochs;
        var xs = Enumerable.Range(1, epochs.Count).Select(i => (double)i).ToArray();
        var loss = Panel($"{title}: loss", xs, epochs.Select(e => e.Loss).ToArray(), epochs.Select(e => e.ValLoss).ToArray(), "loss", history);
        var accuracy = epochs.Count > 0 && epochs.All(e => e.IsRegression)
            ? Panel($"{title}: mean absolute error", xs, epochs.Select(e => e.MeanAbsoluteError!.Value).ToArray(), epochs.Select(e => e.ValMeanAbsoluteError).ToArray(), "mae", history)
            : Panel($"{title}: accuracy", xs, epochs.Select(e => e.Accuracy).ToArray(), epochs.Select(e => e.ValAccuracy).ToArray(), "accuracy", history);

        using var left = Image.Load<Rgba32>(loss.GetImageBytes(width, height, ScottPlot.ImageFormat.Png));
        using var right = Image.Load<Rgba32>(accuracy.GetImageBytes(width, height, ScottPlot.ImageFormat.Png));
        using var canvas = new Image<Rgba32>(2 * width, height, Color.White);
        canvas.Mutate(c => c.DrawImage(left, new Point(0, 0), 1f).DrawImage(right, new Point(width, 0), 1f));
        using var png = new MemoryStream();
        canvas.SaveAsPng(png);
        return png.ToArray();
    }

    private static ScottPlot.Plot Panel(string title, double[] xs, double[] train, double?[] validation, string metric, TrainingHistory history)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(metric);
        var trainLine = plot.Add.Scatter(xs, train);
        trainLine.LegendText = "train";
        if (validation.All(v => v is not null) && validation.Length > 0)
        {
            var validationLine = plot.Add.Scatter(xs, validation.Select(v => v!.Value).ToArray());
            validationLine.LegendText = "validation";
        }

        // A dashed line where each later phase starts.
        for (var i = 1; i < history.Epochs.Count; i++)
        {
            if (history.Epochs[i].Phase != history.Epochs[i - 1].Phase)
            {
                var line = plot.Add.VerticalLine(i + 0.5);
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.Text = history.Epochs[i].Phase;
            }
        }

        plot.ShowLegend();
        return plot;
    }
}
