using ModelGen.Backbones;
using ModelGen.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Explain;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017) at the backbone's output, the last convolutional stage inside the cut: each
/// feature map is weighted by the mean gradient of the class's score over it, the weighted sum is rectified,
/// scaled up to the input size and normalised. The gradient is taken with respect to the features alone
/// (<c>autograd.grad</c> through the head), so no parameter's <c>.grad</c> or <c>requires_grad</c> changes and
/// a frozen backbone, or an imported graph whose ops have no gradient, works as well as a trainable one.
/// </summary>
internal static class GradCam
{
    /// <summary>
    /// The explanation of the class <paramref name="target"/> (null: the predicted one) for one image.
    /// The modules' training modes are put back as they were; the pass itself runs in evaluation mode.
    /// </summary>
    /// <param name="backbone">The model's backbone; its output must be feature maps [N, C, h, w].</param>
    /// <param name="head">The model's head, on the backbone's output.</param>
    /// <param name="rgb">The image's RGB planes [3 * H * W] in [0, 1] at the backbone's input size.</param>
    /// <param name="target">The class to explain, or null for the predicted one.</param>
    /// <param name="classes">The class names in output order.</param>
    /// <param name="labelOf">The label of a class index.</param>
    /// <param name="device">Where the model runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="target"/> is not a class of the model.</exception>
    /// <exception cref="InvalidOperationException">The backbone's output is not feature maps, or the heatmap is not finite.</exception>
    public static Explanation<TLabel> Explain<TLabel>(Backbone backbone, Head head, float[] rgb, int? target, IReadOnlyList<string> classes, Func<int, TLabel> labelOf, Device device)
    {
        var input = backbone.Input;
        var binary = head.Units == 1;
        var classCount = binary ? 2 : (int)head.Units;
        if (rgb.Length != 3 * input.Height * input.Width)
        {
            throw new ArgumentException($"The image has {rgb.Length} values; the {backbone.Definition.ArchitectureName} backbone takes 3x{input.Height}x{input.Width}.", nameof(rgb));
        }

        if (target is { } chosen && (chosen < 0 || chosen >= classCount))
        {
            throw new ArgumentOutOfRangeException(nameof(target), chosen, $"The model has {classCount} classes ({string.Join(", ", classes)}); a class to explain is an index from 0 to {classCount - 1}.");
        }

        if (backbone.Definition.FeatureShape.Length == 2)
        {
            throw new InvalidOperationException(
                $"Grad-CAM explains feature maps [C, h, w], but the {backbone.Definition.ArchitectureName} backbone gives transformer tokens "
                + $"[{string.Join(", ", backbone.Definition.FeatureShape)}] (tokens x width), which have no spatial layout Grad-CAM can weigh; "
                + "explaining transformers (attention rollout) is not supported yet.");
        }

        var modes = TrainingModes.Save(backbone, head);
        try
        {
            backbone.eval();
            head.eval();
            using var scope = NewDisposeScope();
            using var notInference = inference_mode(false); // a caller's inference mode would forbid the gradient
            Tensor features;
            using (no_grad())
            {
                var image = tensor(rgb, [1, 3, input.Height, input.Width]);
                features = backbone.call(input.Preprocessing.Apply(image).to(device));
            }

            if (features.dim() != 4)
            {
                throw new InvalidOperationException(
                    $"Grad-CAM needs the backbone's output as feature maps [N, C, h, w], but the {backbone.Definition.ArchitectureName} backbone "
                    + $"(cut at {backbone.Definition.CutAt ?? "its end"}) gives [{string.Join(", ", features.shape)}]: cut it at a convolutional layer "
                    + "(spec key truncate_at) to explain its predictions.");
            }

            Tensor cam;
            float[] probabilities;
            int index;
            using (enable_grad())
            {
                var maps = features.detach().requires_grad_(true);
                var logits = head.call(maps);
                probabilities = Probabilities(logits, binary);
                index = target ?? Prediction.ArgMax(probabilities);
                var score = binary ? (index == 1 ? logits[0, 0] : -logits[0, 0]) : logits[0, index];
                var gradient = autograd.grad([score], [maps])[0];
                var weights = gradient.mean([2, 3], keepdim: true);
                cam = nn.functional.relu((weights * maps.detach()).sum(1, keepdim: true));
            }

            var heatmap = nn.functional.interpolate(cam, size: [input.Height, input.Width], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
            if (!heatmap.isfinite().all().item<bool>())
            {
                throw new InvalidOperationException(
                    $"The Grad-CAM heatmap of class '{classes[index]}' is not finite: the {backbone.Definition.ArchitectureName} backbone's features or the head's gradient hold NaN or infinity.");
            }

            var peak = heatmap.max().item<float>();
            heatmap = (peak > 0f ? (heatmap / peak).clamp(0f, 1f) : zeros_like(heatmap))
                .to_type(ScalarType.Float32).cpu().contiguous().MoveToOuterDisposeScope();
            return new Explanation<TLabel>(heatmap, rgb, index, classes[index], labelOf(index), probabilities);
        }
        finally
        {
            modes.Restore();
        }
    }

    // Like the generated models' Probabilities: sigmoid of the one logit of a binary head, else softmax.
    private static float[] Probabilities(Tensor logits, bool binary)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (binary)
        {
            var positive = sigmoid(logits[0, 0]).item<float>();
            return [1f - positive, positive];
        }

        return nn.functional.softmax(logits[0], 0).cpu().data<float>().ToArray();
    }

    /// <summary>Every module's training flag, parents before children, to put back after the pass.</summary>
    private sealed class TrainingModes
    {
        private readonly List<(nn.Module Module, bool Training)> _modes = [];

        public static TrainingModes Save(params nn.Module[] roots)
        {
            var modes = new TrainingModes();
            foreach (var root in roots)
            {
                modes._modes.Add((root, root.training));
                modes._modes.AddRange(root.named_modules().Select(m => (m.module, m.module.training)));
            }

            return modes;
        }

        // Setting a module's mode sets its children's too, so parents come first and children correct them.
        public void Restore()
        {
            foreach (var (module, training) in _modes)
            {
                if (module.training != training)
                {
                    module.train(training);
                }
            }
        }
    }
}
