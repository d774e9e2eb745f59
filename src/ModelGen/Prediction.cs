namespace ModelGen;

/// <summary>The class predicted for one image, with the probability of every class.</summary>
/// <typeparam name="TLabel">The model's label enum, or string when the spec declares no labels.</typeparam>
/// <param name="Label">The predicted class.</param>
/// <param name="Index">Its index in the model's output.</param>
/// <param name="ClassName">Its name (the class folder name).</param>
/// <param name="Probabilities">The probability of each class, in output order.</param>
public sealed record Prediction<TLabel>(TLabel Label, int Index, string ClassName, IReadOnlyList<float> Probabilities)
{
    /// <summary>The probability of the predicted class.</summary>
    public float Confidence => Probabilities[Index];
}

/// <summary>Helpers for predictions.</summary>
public static class Prediction
{
    /// <summary>The index of the largest value (the first one on ties).</summary>
    public static int ArgMax(IReadOnlyList<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
