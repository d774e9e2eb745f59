using System.Text.Json.Serialization;

namespace ModelGen;

/// <summary>How a regression model did on one of its targets (<c>task: regression</c>, spec key <c>targets</c>).</summary>
/// <param name="Target">The target's name, as the spec's <c>targets</c> and the manifest's column give it.</param>
/// <param name="MeanAbsoluteError">The mean of |prediction - true value|, in the target's unit.</param>
/// <param name="RootMeanSquaredError">The square root of the mean of (prediction - true value)², in the target's unit.</param>
/// <param name="RSquared">
/// The coefficient of determination, as scikit-learn's <c>r2_score</c>: 1 - Σ(y - ŷ)² / Σ(y - ȳ)²; 1 is perfect, 0 is
/// no better than always predicting the mean of the true values, and it is negative for worse. When every true value
/// is the same (Σ(y - ȳ)² = 0) it is 1 if every prediction is exact and 0 otherwise, as scikit-learn's default
/// (<c>force_finite=True</c>). <see cref="double.NaN"/> when nothing was evaluated; JSON writes NaN as null.
/// </param>
public sealed record TargetMetrics(
    string Target,
    [property: JsonConverter(typeof(NaNAsNullConverter))] double MeanAbsoluteError,
    [property: JsonConverter(typeof(NaNAsNullConverter))] double RootMeanSquaredError,
    [property: JsonConverter(typeof(NaNAsNullConverter))] double RSquared);
