using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>
/// How a model did on a set of images: accuracy, loss, the confusion matrix and per-class figures; for a regression
/// model (<c>task: regression</c>), loss, MAE, RMSE and R² per target instead, and no accuracy.
/// </summary>
public sealed class EvaluationResult
{
    private readonly IReadOnlyList<double>? _rocAuc;
    private IReadOnlyList<ClassMetrics>? _perClass;

    /// <summary>Creates a result from counts.</summary>
    /// <param name="classes">Class names in output order.</param>
    /// <param name="confusion">Counts: row = true class, column = predicted class.</param>
    /// <param name="loss">Mean loss per image.</param>
    /// <param name="skipped">Images that could not be read.</param>
    public EvaluationResult(IReadOnlyList<string> classes, long[,] confusion, double loss, int skipped)
        : this(classes, confusion, loss, skipped, null)
    {
    }

    /// <summary>Creates a result from counts and each class's one-vs-rest ROC AUC.</summary>
    /// <param name="classes">Class names in output order.</param>
    /// <param name="confusion">Counts: row = true class, column = predicted class.</param>
    /// <param name="loss">Mean loss per image.</param>
    /// <param name="skipped">Images that could not be read.</param>
    /// <param name="rocAuc">Per class, the area under its ROC curve (<see cref="double.NaN"/> where undefined); null when the probabilities were not kept.</param>
    public EvaluationResult(IReadOnlyList<string> classes, long[,] confusion, double loss, int skipped, IReadOnlyList<double>? rocAuc)
    {
        if (rocAuc is not null && rocAuc.Count != classes.Count)
        {
            throw new ArgumentException($"{rocAuc.Count} ROC AUC values for {classes.Count} classes.", nameof(rocAuc));
        }

        _rocAuc = rocAuc?.ToArray();
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

    /// <summary>Creates the result of a regression model: each target's figures, over <paramref name="count"/> images.</summary>
    /// <param name="perTarget">MAE, RMSE and R² of every target, in output order.</param>
    /// <param name="count">Images evaluated.</param>
    /// <param name="loss">Mean loss per image.</param>
    /// <param name="skipped">Images that could not be read.</param>
    public EvaluationResult(IReadOnlyList<TargetMetrics> perTarget, long count, double loss, int skipped)
    {
        if (perTarget.Count == 0)
        {
            throw new ArgumentException("A regression result needs at least one target.", nameof(perTarget));
        }

        PerTarget = perTarget.ToArray();
        Classes = [];
        ConfusionMatrix = new long[0, 0];
        Count = count;
        Loss = loss;
        Skipped = skipped;
    }

    /// <summary>Class names in output order (the rows and columns of <see cref="ConfusionMatrix"/>); empty for a regression model.</summary>
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

    /// <summary>
    /// Fraction classified correctly (0 when nothing was evaluated); <see cref="double.NaN"/> for a regression model,
    /// which has no classes: see <see cref="MeanAbsoluteError"/>, <see cref="RootMeanSquaredError"/> and <see cref="RSquared"/>.
    /// </summary>
    public double Accuracy => IsRegression ? double.NaN : Count == 0 ? 0 : Correct / (double)Count;

    /// <summary>Whether this is the result of a regression model (<see cref="PerTarget"/> is set, there are no classes).</summary>
    public bool IsRegression => PerTarget is not null;

    /// <summary>A regression model's MAE, RMSE and R² for each target, in output order; null for a classifier.</summary>
    public IReadOnlyList<TargetMetrics>? PerTarget { get; }

    /// <summary>The mean over the targets of each target's mean absolute error; null for a classifier.</summary>
    public double? MeanAbsoluteError => PerTarget?.Average(t => t.MeanAbsoluteError);

    /// <summary>The mean over the targets of each target's root mean squared error (scikit-learn's uniform average); null for a classifier.</summary>
    public double? RootMeanSquaredError => PerTarget?.Average(t => t.RootMeanSquaredError);

    /// <summary>
    /// The mean over the targets of each target's R² (scikit-learn's <c>r2_score</c>, <c>multioutput="uniform_average"</c>):
    /// 1 is perfect, 0 is as good as predicting each target's mean; null for a classifier.
    /// </summary>
    public double? RSquared => PerTarget?.Average(t => t.RSquared);

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
        var actual = Support(index);
        return actual == 0 ? 0 : ConfusionMatrix[index, index] / (double)actual;
    }

    /// <summary>Images of class <paramref name="index"/>.</summary>
    public long Support(int index)
    {
        long actual = 0;
        for (var j = 0; j < Classes.Count; j++)
        {
            actual += ConfusionMatrix[index, j];
        }

        return actual;
    }

    /// <summary>The harmonic mean of class <paramref name="index"/>'s precision and recall (0 when both are 0).</summary>
    public double F1(int index)
    {
        var (precision, recall) = (Precision(index), Recall(index));
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>
    /// The area under the ROC curve of class <paramref name="index"/>'s probability, one-vs-rest (tied scores count
    /// half, as scikit-learn's <c>roc_auc_score</c>); with two classes, both classes get the binary AUC of class 1's
    /// probability. <see cref="double.NaN"/> when undefined: no images of the class, or nothing but images of the
    /// class, or the probabilities were not kept (a result made from counts only).
    /// </summary>
    public double RocAuc(int index) => _rocAuc?[index] ?? double.NaN;

    /// <summary>Mean precision over the classes.</summary>
    public double MacroPrecision => Classes.Count == 0 ? double.NaN : Enumerable.Range(0, Classes.Count).Average(Precision);

    /// <summary>Mean recall over the classes.</summary>
    public double MacroRecall => Classes.Count == 0 ? double.NaN : Enumerable.Range(0, Classes.Count).Average(Recall);

    /// <summary>Mean F1 over the classes.</summary>
    public double MacroF1 => Classes.Count == 0 ? double.NaN : Enumerable.Range(0, Classes.Count).Average(F1);

    /// <summary>Mean ROC AUC over the classes where it is defined; <see cref="double.NaN"/> when it is defined for none.</summary>
    public double MacroRocAuc
    {
        get
        {
            var defined = Enumerable.Range(0, Classes.Count).Select(RocAuc).Where(auc => !double.IsNaN(auc)).ToList();
            return defined.Count == 0 ? double.NaN : defined.Average();
        }
    }

    /// <summary>Every class's support, precision, recall, F1 and ROC AUC, in output order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass =>
        _perClass ??= Enumerable.Range(0, Classes.Count)
            .Select(i => new ClassMetrics(Classes[i], Support(i), Precision(i), Recall(i), F1(i), RocAuc(i)))
            .ToArray();

    /// <summary>
    /// The confusion matrix as text, with per-class precision, recall, F1 and ROC AUC ("n/a" where undefined) and their
    /// macro averages; for a regression model, each target's MAE, RMSE and R² and their averages.
    /// </summary>
    public string ToTable()
    {
        if (PerTarget is { } targets)
        {
            return TargetTable(targets);
        }

        var width = Math.Max(9, Classes.Max(c => c.Length) + 1);
        var cell = Math.Max(6, Classes.Max(c => Math.Min(c.Length, 10)) + 1);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"accuracy {Accuracy:0.0000}  loss {Loss:0.0000}  images {Count}{(Skipped > 0 ? $"  skipped {Skipped}" : "")}\n");
        text.Append("true \\ predicted".PadRight(width));
        foreach (var name in Classes)
        {
            text.Append(Short(name, cell - 1).PadLeft(cell));
        }

        text.Append("  precision  recall     f1  roc_auc\n");
        for (var i = 0; i < Classes.Count; i++)
        {
            text.Append(Short(Classes[i], width - 1).PadRight(width));
            for (var j = 0; j < Classes.Count; j++)
            {
                text.Append(ConfusionMatrix[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(cell));
            }

            text.Append(CultureInfo.InvariantCulture, $"  {Precision(i),9:0.000}  {Recall(i),6:0.000}  {F1(i),5:0.000}  {Text(RocAuc(i)),7}\n");
        }

        text.Append("macro average".PadRight(width + (cell * Classes.Count)));
        text.Append(CultureInfo.InvariantCulture, $"  {MacroPrecision,9:0.000}  {MacroRecall,6:0.000}  {MacroF1,5:0.000}  {Text(MacroRocAuc),7}\n");
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToTable();

    private string TargetTable(IReadOnlyList<TargetMetrics> targets)
    {
        var width = Math.Max(9, targets.Max(t => t.Target.Length) + 1);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"r2 {Text(RSquared!.Value)}  mae {Figure(MeanAbsoluteError!.Value)}  rmse {Figure(RootMeanSquaredError!.Value)}  loss {Loss:0.0000}  images {Count}{(Skipped > 0 ? $"  skipped {Skipped}" : "")}\n");
        text.Append("target".PadRight(width)).Append("         mae        rmse      r2\n");
        foreach (var target in targets)
        {
            text.Append(target.Target.PadRight(width));
            text.Append(CultureInfo.InvariantCulture, $"  {Figure(target.MeanAbsoluteError),10}  {Figure(target.RootMeanSquaredError),10}  {Text(target.RSquared),6}\n");
        }

        if (targets.Count > 1)
        {
            text.Append("average".PadRight(width));
            text.Append(CultureInfo.InvariantCulture, $"  {Figure(MeanAbsoluteError!.Value),10}  {Figure(RootMeanSquaredError!.Value),10}  {Text(RSquared!.Value),6}\n");
        }

        return text.ToString();
    }

    // Errors are in the target's unit, which may be large (degrees, prices) or small: four significant digits.
    private static string Figure(double value) => double.IsNaN(value) ? "n/a" : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A figure as text with three decimals, "n/a" when it is undefined (NaN).</summary>
    internal static string Text(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Short(string text, int length) => text.Length <= length ? text : text[..length];
}
