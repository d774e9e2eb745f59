using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelGen;

/// <summary>Every epoch a training run went through, in order, across its phases.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochResult> _epochs = [];

    /// <summary>Creates an empty history.</summary>
    public TrainingHistory()
    {
    }

    /// <summary>Creates a history holding <paramref name="epochs"/> (a resumed run).</summary>
    public TrainingHistory(IEnumerable<EpochResult> epochs)
    {
        _epochs.AddRange(epochs);
    }

    /// <summary>One entry per epoch run.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>The last epoch, or null when nothing ran.</summary>
    public EpochResult? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>Appends an epoch.</summary>
    public void Add(EpochResult epoch) => _epochs.Add(epoch);

    /// <summary>
    /// The history as CSV, one row per epoch; the validation columns are empty without validation data, and
    /// <c>val_macro_roc_auc</c> is <c>NaN</c> when no class's ROC AUC is defined. The per-class figures are in <see cref="ToJson"/>.
    /// A regression model's history has no accuracy: its columns are <c>mae</c> where <c>accuracy</c> is, and the
    /// validation loss, MAE, RMSE and R² (averaged over the targets; each target's are in <see cref="ToJson"/>).
    /// </summary>
    public string ToCsv()
    {
        if (_epochs.Count > 0 && _epochs.All(e => e.IsRegression))
        {
            return RegressionCsv();
        }

        var text = new StringBuilder("phase,epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,samples_per_second,val_macro_f1,val_macro_roc_auc\n");
        foreach (var e in _epochs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.Phase},{e.Epoch},{e.Loss:R},{e.Accuracy:R},{Optional(e.ValLoss)},{Optional(e.ValAccuracy)},{e.LearningRate:R},{e.Seconds:R},{e.SamplesPerSecond:R},{Optional(e.ValMacroF1)},{Optional(e.ValMacroRocAuc)}\n");
        }

        return text.ToString();
    }

    private string RegressionCsv()
    {
        var text = new StringBuilder("phase,epoch,loss,mae,val_loss,val_mae,val_rmse,val_r2,learning_rate,seconds,samples_per_second\n");
        foreach (var e in _epochs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.Phase},{e.Epoch},{e.Loss:R},{Optional(e.MeanAbsoluteError)},{Optional(e.ValLoss)},{Optional(e.ValMeanAbsoluteError)},{Optional(e.ValRootMeanSquaredError)},{Optional(e.ValRSquared)},{e.LearningRate:R},{e.Seconds:R},{e.SamplesPerSecond:R}\n");
        }

        return text.ToString();
    }

    private static string? Optional(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// The history as JSON; with validation data, each epoch has <c>val_per_class</c> (an undefined ROC AUC is null), or
    /// for a regression model <c>val_per_target</c> (and <c>accuracy</c> is null).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(_epochs, JsonOptions);

    /// <summary>Reads a history written by <see cref="ToJson"/>.</summary>
    public static TrainingHistory FromJson(string json) =>
        new(JsonSerializer.Deserialize<List<EpochResult>>(json, JsonOptions) ?? []);

    internal static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
