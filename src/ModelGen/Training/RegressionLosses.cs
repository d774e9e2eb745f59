using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The losses of <c>task: regression</c>, on predictions and targets [N, T] (T named targets), averaged over every
/// image and target as PyTorch's <c>reduction='mean'</c> does. <c>loss: mse</c> is the mean squared error;
/// <c>loss: huber</c> is <c>torch.nn.HuberLoss(delta)</c>: per value, <c>0.5 e²</c> where <c>|e| ≤ δ</c> and
/// <c>δ (|e| - 0.5 δ)</c> beyond, so errors past δ pull linearly (an outlier counts less than under MSE).
/// </summary>
internal static class RegressionLosses
{
    /// <summary>The mean of <c>(prediction - target)²</c> over all N·T values.</summary>
    /// <param name="predictions">[N, T] the head's outputs.</param>
    /// <param name="targets">[N, T] the true values.</param>
    public static Tensor MeanSquaredError(Tensor predictions, Tensor targets)
    {
        CheckShapes(predictions, targets);
        return nn.functional.mse_loss(predictions, targets.to_type(predictions.dtype));
    }

    /// <summary>The Huber loss with threshold <paramref name="delta"/>, averaged over all N·T values.</summary>
    /// <param name="predictions">[N, T] the head's outputs.</param>
    /// <param name="targets">[N, T] the true values.</param>
    /// <param name="delta">δ &gt; 0: where the loss turns from quadratic to linear.</param>
    public static Tensor Huber(Tensor predictions, Tensor targets, double delta)
    {
        if (!(delta > 0) || double.IsInfinity(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber loss's delta must be a finite number above 0.");
        }

        CheckShapes(predictions, targets);
        return nn.functional.huber_loss(predictions, targets.to_type(predictions.dtype), delta: delta);
    }

    // [N, 1] against [N] would broadcast to [N, N] and train on nonsense without an error: the shapes must match.
    private static void CheckShapes(Tensor predictions, Tensor targets)
    {
        if (predictions.dim() != 2 || !predictions.shape.SequenceEqual(targets.shape))
        {
            throw new ArgumentException(
                $"A regression loss needs predictions and targets of the same shape [images, targets]; got predictions [{string.Join(", ", predictions.shape)}] and targets [{string.Join(", ", targets.shape)}].",
                nameof(targets));
        }
    }
}
