using ModelGen.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>Builds the backbone a generated model asks for: architecture, cut, weights, and a shape check.</summary>
public static class BackboneFactory
{
    /// <summary>
    /// Builds, cuts and (when <paramref name="pretrained"/>) loads the weights of a backbone, then checks
    /// that its output has the shape the generator computed.
    /// </summary>
    /// <exception cref="WeightsException">The weights are missing or do not fit.</exception>
    /// <exception cref="NotSupportedException">The architecture is unknown to this runtime.</exception>
    public static Backbone Create(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        if (!TorchVisionCatalog.Contains(definition.Architecture))
        {
            throw new NotSupportedException($"The architecture '{definition.Architecture}' is not known to this ModelGen runtime; known: {string.Join(", ", TorchVisionCatalog.Architectures)}.");
        }

        var discarded = new List<nn.Module>();
        var full = TorchVisionCatalog.ConvolutionalBase(definition.Architecture, discarded);
        var stages = ModuleCutter.Cut(full, definition.CutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        var backbone = new Backbone(definition, stages, Preprocessing.ImageNet);
        try
        {
            if (pretrained && WeightsLocator.Resolve(definition, options) is { } path)
            {
                WeightsLoader.Load(backbone, path);
                backbone.WeightsSource = path;
            }

            CheckFeatureShape(backbone);
            return backbone;
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>Runs one blank image through the backbone and compares the output with the build-time shape.</summary>
    internal static void CheckFeatureShape(Backbone backbone)
    {
        var definition = backbone.Definition;
        backbone.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var output = backbone.forward(zeros(1, 3, definition.Height, definition.Width));
        var actual = output.shape.Skip(1).ToArray();
        if (!actual.SequenceEqual(definition.FeatureShape))
        {
            throw new InvalidOperationException(
                $"The {definition.Architecture} backbone cut at {definition.CutAt ?? "its end"} gives features of shape {string.Join("x", actual)} "
                + $"for a {definition.Height}x{definition.Width} input, but the spec compiler computed {string.Join("x", definition.FeatureShape)}. "
                + "Rebuild the project so that generator and runtime are the same ModelGen version.");
        }
    }
}
