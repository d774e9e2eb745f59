using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The losses behind <c>training.class_weights</c> and <c>training.focal_gamma</c>, on logits. Per image:
/// cross-entropy <c>-log p_t</c> (p_t: the probability of the true class), times <c>(1 - p_t)^γ</c> when γ &gt; 0
/// (focal loss, Lin et al. 2017: easy, confident images count less), times the weight of the image's class.
/// The batch loss is the weighted mean: the sum divided by the sum of the weights (the plain mean without weights).
/// </summary>
internal static class Losses
{
    /// <summary>The categorical loss of <paramref name="logits"/> [N, K] for class indexes <paramref name="labels"/> [N].</summary>
    /// <param name="logits">[N, K] scores.</param>
    /// <param name="labels">[N] class indexes.</param>
    /// <param name="weights">[K] class weights, or null.</param>
    /// <param name="focalGamma">γ; 0 for cross-entropy.</param>
    /// <param name="labelSmoothing">ε of label smoothing (only without focal loss: the spec compiler refuses both).</param>
    public static Tensor Categorical(Tensor logits, Tensor labels, Tensor? weights, double focalGamma, double labelSmoothing)
    {
        if (focalGamma == 0)
        {
            // PyTorch's own: the weighted mean is sum(w_y · loss) / sum(w_y), and smoothing spreads ε over the classes.
            return nn.functional.cross_entropy(logits, labels, weight: weights, label_smoothing: labelSmoothing);
        }

        using var scope = NewDisposeScope();
        var logPt = nn.functional.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
        var perImage = -(1 - logPt.exp()).pow(focalGamma) * logPt;
        return Reduce(perImage, weights?.index_select(0, labels)).MoveToOuterDisposeScope();
    }

    /// <summary>The binary loss of one logit per image <paramref name="logits"/> [N, 1] for labels 0/1 <paramref name="labels"/> [N].</summary>
    /// <param name="logits">[N, 1] logits of class 1.</param>
    /// <param name="labels">[N] 0 or 1.</param>
    /// <param name="weights">[2] class weights, or null.</param>
    /// <param name="focalGamma">γ; 0 for binary cross-entropy.</param>
    /// <param name="labelSmoothing">ε: the 0/1 targets become ε/2 and 1 - ε/2 (only without focal loss).</param>
    public static Tensor Binary(Tensor logits, Tensor labels, Tensor? weights, double focalGamma, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        var z = logits.squeeze(1);
        var y = labels.to_type(ScalarType.Float32);
        var target = labelSmoothing > 0 ? (y * (1 - labelSmoothing)) + (labelSmoothing / 2) : y;
        var perImage = nn.functional.binary_cross_entropy_with_logits(z, target, reduction: nn.Reduction.None);
        if (focalGamma > 0)
        {
            var p = z.sigmoid();
            var pt = (y * p) + ((1 - y) * (1 - p));
            perImage = perImage * (1 - pt).pow(focalGamma);
        }

        return Reduce(perImage, weights?.index_select(0, labels)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The categorical cross-entropy of <paramref name="logits"/> [N, K] against target distributions
    /// <paramref name="targets"/> [N, K] (the mixed rows of MixUp and CutMix): per image <c>-Σ_c q_c · log softmax(z)_c</c>.
    /// Label smoothing ε applies to the mixed rows, <c>q' = (1 - ε) q + ε / K</c>; timm smooths each one-hot row before
    /// mixing them, which is the same since λ + (1 - λ) = 1. A soft row weighs <c>Σ_c q_c · w_c</c> (the mixed share of
    /// each class's weight; a one-hot row weighs its class's weight, as in <see cref="Categorical"/>), and the batch loss is
    /// the weighted mean. For one-hot rows this equals <see cref="Categorical"/> without focal loss.
    /// </summary>
    /// <param name="logits">[N, K] scores.</param>
    /// <param name="targets">[N, K] rows of class shares, each summing to 1.</param>
    /// <param name="weights">[K] class weights, or null.</param>
    /// <param name="labelSmoothing">ε of label smoothing.</param>
    public static Tensor SoftCategorical(Tensor logits, Tensor targets, Tensor? weights, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        var classes = logits.shape[1];
        var q = labelSmoothing > 0 ? (targets * (1 - labelSmoothing)) + (labelSmoothing / classes) : targets;
        var perImage = -(q * nn.functional.log_softmax(logits, 1)).sum(1);
        return Reduce(perImage, weights is null ? null : targets.matmul(weights)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The binary cross-entropy of one logit per image <paramref name="logits"/> [N, 1] against the probability of class 1,
    /// <paramref name="targets"/> [N] in [0, 1] (a mixed 0/1 label): per image <c>-(t log σ(z) + (1 - t) log(1 - σ(z)))</c>.
    /// Label smoothing makes t into <c>t (1 - ε) + ε / 2</c>; an image weighs <c>t · w_1 + (1 - t) · w_0</c>; the batch loss is
    /// the weighted mean. For 0/1 targets this equals <see cref="Binary"/> without focal loss.
    /// </summary>
    /// <param name="logits">[N, 1] logits of class 1.</param>
    /// <param name="targets">[N] probabilities of class 1.</param>
    /// <param name="weights">[2] class weights, or null.</param>
    /// <param name="labelSmoothing">ε of label smoothing.</param>
    public static Tensor SoftBinary(Tensor logits, Tensor targets, Tensor? weights, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        var z = logits.squeeze(1);
        var t = targets.to_type(ScalarType.Float32);
        var smoothed = labelSmoothing > 0 ? (t * (1 - labelSmoothing)) + (labelSmoothing / 2) : t;
        var perImage = nn.functional.binary_cross_entropy_with_logits(z, smoothed, reduction: nn.Reduction.None);
        return Reduce(perImage, weights is null ? null : (t * weights[1]) + ((1 - t) * weights[0])).MoveToOuterDisposeScope();
    }

    private static Tensor Reduce(Tensor perImage, Tensor? imageWeights) =>
        imageWeights is null ? perImage.mean() : (perImage * imageWeights).sum() / imageWeights.sum();
}
