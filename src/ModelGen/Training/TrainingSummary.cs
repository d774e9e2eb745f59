using System.Globalization;
using System.Text;

namespace ModelGen.Training;

/// <summary>The table printed at the end of training: one row per phase.</summary>
internal static class TrainingSummary
{
    /// <summary>The table for <paramref name="history"/> as text.</summary>
    public static string Format(TrainingHistory history)
    {
        var rows = history.Epochs
            .GroupBy(e => e.Phase)
            .Select(g => new[]
            {
                g.Key,
                g.Count().ToString(CultureInfo.InvariantCulture),
                g.Last().Loss.ToString("0.0000", CultureInfo.InvariantCulture),
                g.Last().Accuracy.ToString("0.0000", CultureInfo.InvariantCulture),
                g.Last().ValLoss?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-",
                g.Last().ValAccuracy?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-",
                g.Max(e => e.ValAccuracy)?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-",
                g.Sum(e => e.Seconds).ToString("0.0", CultureInfo.InvariantCulture) + "s",
                g.Average(e => e.SamplesPerSecond).ToString("0", CultureInfo.InvariantCulture),
            })
            .ToList();
        string[] headers = ["phase", "epochs", "loss", "accuracy", "val_loss", "val_accuracy", "best val_acc", "time", "samples/s"];
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(headers);
        text.AppendLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
        foreach (var row in rows)
        {
            Line(row);
        }

        return text.ToString();
    }
}
