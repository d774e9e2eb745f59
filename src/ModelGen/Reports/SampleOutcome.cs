namespace ModelGen.Reports;

/// <summary>How the model scored one sample: its true and predicted class, the probabilities and its loss.</summary>
/// <param name="Path">The image file, or null when the sample's image is not known (features given without their files).</param>
/// <param name="TrueClass">The true class's index.</param>
/// <param name="PredictedClass">The predicted class's index (the most probable).</param>
/// <param name="Probabilities">The probability of every class.</param>
internal sealed record SampleOutcome(string? Path, int TrueClass, int PredictedClass, float[] Probabilities)
{
    /// <summary>The sample's cross-entropy: minus the log of the true class's probability.</summary>
    public double Loss => -Math.Log(Math.Max(Probabilities[TrueClass], 1e-12));

    /// <summary>The probability of the predicted class.</summary>
    public float Confidence => Probabilities[PredictedClass];
}
