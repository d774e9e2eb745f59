using System.Text.Json.Serialization;

namespace ModelGen;

/// <summary>The outcome of one training epoch.</summary>
/// <param name="Phase">The phase's name (spec key: training.phases[].name; "train" for a single phase).</param>
/// <param name="Epoch">The epoch within its phase, from 1.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="Accuracy">Training accuracy over the epoch.</param>
/// <param name="ValLoss">Validation loss; null without validation data.</param>
/// <param name="ValAccuracy">Validation accuracy; null without validation data.</param>
/// <param name="LearningRate">The head's learning rate during the epoch.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public sealed record EpochResult(
    string Phase,
    int Epoch,
    double Loss,
    double Accuracy,
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
}
