using System.Text.Json.Serialization;

namespace ModelGen;

/// <summary>The outcome of one training epoch.</summary>
/// <param name="Phase">The phase's name (spec key: training.phases[].name; "train" for a single phase).</param>
/// <param name="Epoch">The epoch within its phase, from 1.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="Accuracy">
/// Training accuracy over the epoch; <see cref="double.NaN"/> for a regression model, which has none (see
/// <see cref="MeanAbsoluteError"/>); JSON writes NaN as null.
/// </param>
/// <param name="ValLoss">Validation loss; null without validation data.</param>
/// <param name="ValAccuracy">Validation accuracy; null without validation data, and for a regression model.</param>
/// <param name="LearningRate">The head's learning rate during the epoch.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public sealed record EpochResult(
    string Phase,
    int Epoch,
    double Loss,
    [property: JsonConverter(typeof(NaNAsNullConverter))] double Accuracy,
    double? ValLoss,
    double? ValAccuracy,
    double LearningRate,
    double Seconds,
    double SamplesPerSecond)
{
    /// <summary>
    /// Each class's precision, recall, F1 and ROC AUC on the validation data at the end of the epoch, in output
    /// order (history.json's <c>val_per_class</c>); null without validation data.
    /// </summary>
    public IReadOnlyList<ClassMetrics>? ValPerClass { get; init; }

    /// <summary>Mean F1 over the classes on the validation data; null without validation data.</summary>
    public double? ValMacroF1 { get; init; }

    /// <summary>
    /// Mean ROC AUC over the classes where it is defined on the validation data (<see cref="double.NaN"/> when it is
    /// defined for none; JSON writes that as null); null without validation data.
    /// </summary>
    [JsonConverter(typeof(NullableNaNAsNullConverter))]
    public double? ValMacroRocAuc { get; init; }

    /// <summary>
    /// A regression model's training mean absolute error over the epoch, over every image and target (the mean of the
    /// targets' MAEs); null for a classifier. It shows where a classifier's accuracy does.
    /// </summary>
    public double? MeanAbsoluteError { get; init; }

    /// <summary>A regression model's mean absolute error on the validation data (averaged over the targets); null without validation data or for a classifier.</summary>
    [JsonConverter(typeof(NullableNaNAsNullConverter))]
    public double? ValMeanAbsoluteError { get; init; }

    /// <summary>A regression model's root mean squared error on the validation data (averaged over the targets); null without validation data or for a classifier.</summary>
    [JsonConverter(typeof(NullableNaNAsNullConverter))]
    public double? ValRootMeanSquaredError { get; init; }

    /// <summary>A regression model's R² on the validation data (averaged over the targets, as scikit-learn's r2_score); null without validation data or for a classifier.</summary>
    [JsonConverter(typeof(NullableNaNAsNullConverter))]
    public double? ValRSquared { get; init; }

    /// <summary>
    /// A regression model's MAE, RMSE and R² of each target on the validation data at the end of the epoch
    /// (history.json's <c>val_per_target</c>); null without validation data or for a classifier.
    /// </summary>
    public IReadOnlyList<TargetMetrics>? ValPerTarget { get; init; }

    /// <summary>Whether the epoch is a regression model's (<see cref="MeanAbsoluteError"/> is set; there is no accuracy).</summary>
    [JsonIgnore]
    public bool IsRegression => MeanAbsoluteError is not null;
}
