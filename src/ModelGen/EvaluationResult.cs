using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>How a model did on a set of images: accuracy, loss, the confusion matrix and per-class figures.</summary>
public sealed class EvaluationResult
{
    /// <summary>Creates a result from counts.</summary>
    /// <param name="classes">Class names in output order.</param>
    /// <param name="confusion">Counts: row = true class, column = predicted class.</param>
    /// <param name="loss">Mean loss per image.</param>
    /// <param name="skipped">Images that could not be read.</param>
    public EvaluationResult(IReadOnlyList<string> classes, long[,] confusion, double loss, int skipped)
    {
        Classes = classes;
        ConfusionMatrix = confusion;
        Loss = loss;
        Skipped = skipped;
        for (var i = 0; i < classes.Count; i++)
        {
            for (var j = 0; j < classes.Count; j++)
            {
                Count += confusion[i, j];
                if (i == j)
                {
                    Correct += confusion[i, j];
                }
            }
        }
    }

    /// <summary>Class names in output order (the rows and columns of <see cref="ConfusionMatrix"/>).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Counts: <c>[true class, predicted class]</c>.</summary>
    public long[,] ConfusionMatrix { get; }

    /// <summary>Mean loss per image.</summary>
    public double Loss { get; }

    /// <summary>Images evaluated.</summary>
    public long Count { get; }

    /// <summary>Images classified correctly.</summary>
    public long Correct { get; }

    /// <summary>Images that could not be read and were left out.</summary>
    public int Skipped { get; }

    /// <summary>Fraction classified correctly (0 when nothing was evaluated).</summary>
    public double Accuracy => Count == 0 ? 0 : Correct / (double)Count;

    /// <summary>Of the images predicted as class <paramref name="index"/>, the fraction that are (0 when none were).</summary>
    public double Precision(int index)
    {
        long predicted = 0;
        for (var i = 0; i < Classes.Count; i++)
        {
            predicted += ConfusionMatrix[i, index];
        }

        return predicted == 0 ? 0 : ConfusionMatrix[index, index] / (double)predicted;
    }

    /// <summary>Of the images of class <paramref name="index"/>, the fraction found (0 when there were none).</summary>
    public double Recall(int index)
    {
        long actual = 0;
        for (var j = 0; j < Classes.Count; j++)
        {
            actual += ConfusionMatrix[index, j];
        }

        return actual == 0 ? 0 : ConfusionMatrix[index, index] / (double)actual;
    }

    /// <summary>Mean precision over the classes.</summary>
    public double MacroPrecision => Enumerable.Range(0, Classes.Count).Average(Precision);

    /// <summary>Mean recall over the classes.</summary>
    public double MacroRecall => Enumerable.Range(0, Classes.Count).Average(Recall);

    /// <summary>The confusion matrix as text, with per-class precision and recall.</summary>
    public string ToTable()
    {
        var width = Math.Max(9, Classes.Max(c => c.Length) + 1);
        var cell = Math.Max(6, Classes.Max(c => Math.Min(c.Length, 10)) + 1);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"accuracy {Accuracy:0.0000}  loss {Loss:0.0000}  images {Count}{(Skipped > 0 ? $"  skipped {Skipped}" : "")}\n");
        text.Append("true \\ predicted".PadRight(width));
        foreach (var name in Classes)
        {
            text.Append(Short(name, cell - 1).PadLeft(cell));
        }

        text.Append("  precision  recall\n");
        for (var i = 0; i < Classes.Count; i++)
        {
            text.Append(Short(Classes[i], width - 1).PadRight(width));
            for (var j = 0; j < Classes.Count; j++)
            {
                text.Append(ConfusionMatrix[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(cell));
            }

            text.Append(CultureInfo.InvariantCulture, $"  {Precision(i),9:0.000}  {Recall(i),6:0.000}\n");
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToTable();

    private static string Short(string text, int length) => text.Length <= length ? text : text[..length];
}
