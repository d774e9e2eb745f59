using System.Text.Json.Serialization;

namespace ModelGen;

/// <summary>How a model did on one class, one-vs-rest.</summary>
/// <param name="Class">The class name.</param>
/// <param name="Support">Images of the class.</param>
/// <param name="Precision">Of the images predicted as the class, the fraction that are (0 when none were).</param>
/// <param name="Recall">Of the images of the class, the fraction found (0 when there were none).</param>
/// <param name="F1">The harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="RocAuc">
/// The area under the ROC curve of the class's probability against the other classes (ties count half);
/// <see cref="double.NaN"/> when it is undefined (no images of the class, or only images of the class) or the
/// probabilities were not kept. JSON writes NaN as null.
/// </param>
public sealed record ClassMetrics(
    string Class,
    long Support,
    double Precision,
    double Recall,
    double F1,
    [property: JsonConverter(typeof(NaNAsNullConverter))] double RocAuc);
