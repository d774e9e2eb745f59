using ModelGen.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>Builds the backbone a generated model asks for: architecture, cut, weights, and a shape check.</summary>
internal static class BackboneFactory
{
    /// <summary>
    /// Builds, cuts and (when <paramref name="pretrained"/>) loads the weights of a backbone, then checks
    /// that its output has the shape the generator computed.
    /// </summary>
    /// <exception cref="WeightsException">The weights are missing or do not fit.</exception>
    /// <exception cref="NotSupportedException">The architecture is unknown to this runtime.</exception>
    public static Backbone Create(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        // Before this process's first convolution: keep oneDNN off its AVX-512 kernel that computes wrong results.
        OneDnnIsa.Ensure(options.Logger);
        var backbone = Shared.SpecWords.FamilyOf(definition.Architecture) switch
        {
            ArchitectureFamily.ResNet18Mlnet => CreateResNet18Mlnet(definition, options, pretrained),
            ArchitectureFamily.Onnx => CreateOnnx(definition, options, pretrained),
            ArchitectureFamily.VisionTransformer => CreateVisionTransformer(definition, options, pretrained),
            ArchitectureFamily.Swin => CreateSwin(definition, options, pretrained),
            _ when TorchVisionCatalog.Contains(definition.Architecture) => CreateTorchVision(definition, options, pretrained),
            _ => throw new NotSupportedException(
                $"The architecture '{definition.Architecture}' is not known to this ModelGen runtime; known: {string.Join(", ", TorchVisionCatalog.Architectures)}, vit_b_16, vit_b_32, swin_t, resnet18_mlnet, onnx. "
                + "Are the generator and the runtime the same ModelGen version?"),
        };

        try
        {
            CheckFeatureShape(backbone);
            return backbone;
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    private static Backbone CreateResNet18Mlnet(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        var path = ResNet18MlnetFiles.Find(ResNet18MlnetFiles.ModelFile, options);
        var imagenet = pretrained && definition.Weights == WeightsKind.ImageNet;
        var graph = new Onnx.OnnxGraphModule(Onnx.OnnxFile.Load(path), definition.CutAt ?? "layer4", new Onnx.ResNet18MlnetNaming(), loadWeights: imagenet);
        var backbone = new Backbone(definition, graph.Layers, graph.forward, ResNet18MlnetFiles.Preprocessing(options)) { WeightsSource = imagenet ? path : "none", Graph = graph };
        return LoadWeightsFile(backbone, definition, options, pretrained && !imagenet);
    }

    private static Backbone CreateOnnx(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        // ModelOptions.WeightsPath, when it names an .onnx file, replaces the spec's graph.
        var path = options.WeightsPath is { } graphOverride && graphOverride.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && File.Exists(graphOverride)
            ? Path.GetFullPath(graphOverride)
            : WeightsLocator.SpecFile(definition.OnnxPath ?? throw new WeightsException("An onnx backbone needs backbone.path."), "backbone.path", definition.SpecDirectory);
        var fresh = !pretrained || definition.Weights == WeightsKind.None;
        var graph = new Onnx.OnnxGraphModule(Onnx.OnnxFile.Load(path), definition.CutAt, Onnx.OnnxNaming.NodeNames, loadWeights: !fresh);
        return new Backbone(definition, graph.Layers, graph.forward, options.Preprocessing ?? Preprocessing.ImageNet) { WeightsSource = fresh ? "none" : path, Graph = graph };
    }

    // architectureTensors: the tensor names of the whole network the backbone was cut from. A file's tensors
    // among them that the backbone does not use (the classifier, the layers beyond the cut) are expected
    // and not reported; without it, every unused tensor is.
    private static Backbone LoadWeightsFile(Backbone backbone, BackboneDefinition definition, ModelOptions options, bool load, IReadOnlySet<string>? architectureTensors = null)
    {
        try
        {
            if (load && BackboneWeights.Resolve(definition, options) is { } file)
            {
                var unused = backbone.AdaptWeights is { } adapt ? LoadAdapted(backbone, file, adapt) : WeightsLoader.Load(backbone, file);
                options.Logger.UnusedWeights(file, architectureTensors is null ? unused : unused.Where(name => !architectureTensors.Contains(name)).ToList());
                backbone.WeightsSource = file;
            }

            return backbone;
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    private static Backbone CreateTorchVision(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        var discarded = new List<nn.Module>();
        var tensorNames = new HashSet<string>(StringComparer.Ordinal);
        var full = TorchVisionCatalog.ConvolutionalBase(definition.Architecture, discarded, tensorNames);
        var stages = ModuleCutter.Cut(full, definition.CutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        return LoadWeightsFile(new Backbone(definition, stages, options.Preprocessing ?? Preprocessing.ImageNet), definition, options, pretrained, tensorNames);
    }

    // A file whose tensors the backbone adapts before loading (a transformer's position embedding for another size).
    private static IReadOnlyList<string> LoadAdapted(Backbone backbone, string file, Func<string, Tensor, Tensor?> adapt)
    {
        var source = Weights.StateDictReader.Read(file);
        try
        {
            return LoadAdapted(backbone, source, file, adapt);
        }
        finally
        {
            foreach (var tensor in source.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="source"/> into <paramref name="backbone"/> with each tensor first passed through
    /// <paramref name="adapt"/> (see <see cref="Backbone.AdaptWeights"/>); the replacements are disposed here.
    /// </summary>
    internal static IReadOnlyList<string> LoadAdapted(Backbone backbone, IReadOnlyDictionary<string, Tensor> source, string origin, Func<string, Tensor, Tensor?> adapt)
    {
        var adapted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, tensor) in source)
            {
                if (adapt(name, tensor) is { } replacement)
                {
                    adapted[name] = replacement;
                }
            }

            var merged = source.ToDictionary(e => e.Key, e => adapted.GetValueOrDefault(e.Key) ?? e.Value, StringComparer.Ordinal);
            return WeightsLoader.Load(backbone, merged, origin);
        }
        finally
        {
            foreach (var tensor in adapted.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static Backbone CreateVisionTransformer(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        var vit = Architectures.VisionTransformer.Create(definition.Architecture, definition.Height, definition.Width, definition.CutAt);
        var backbone = new Backbone(definition, [("conv_proj", vit.ConvProj), ("encoder", vit.Encoder)], vit.Forward, options.Preprocessing ?? Preprocessing.ImageNet)
        {
            AdaptWeights = (name, tensor) => name == "encoder.pos_embedding" ? vit.ResizePositionEmbedding(tensor) : null,
        };
        backbone.RegisterParameter("class_token", vit.ClassToken);
        var tensorNames = new HashSet<string>(Architectures.VisionTransformer.TensorNames(definition.Architecture), StringComparer.Ordinal);
        return LoadWeightsFile(backbone, definition, options, pretrained, tensorNames);
    }

    // Swin runs channels last, as torchvision does; whatever the cut, its output is turned channels first.
    private static Backbone CreateSwin(BackboneDefinition definition, ModelOptions options, bool pretrained)
    {
        var discarded = new List<nn.Module>();
        var stages = ModuleCutter.Cut(Architectures.SwinTransformer.Stages(definition.Architecture), definition.CutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        var chain = stages.Select(s => s.Module).ToList();
        var backbone = new Backbone(
            definition,
            stages.Select(s => (s.Name, (nn.Module)s.Module)).ToList(),
            input => Backbone.RunFreeingAsYouGo(chain, input).permute(0, 3, 1, 2),
            options.Preprocessing ?? Preprocessing.ImageNet);
        var tensorNames = new HashSet<string>(Architectures.SwinTransformer.TensorNames(definition.Architecture), StringComparer.Ordinal);
        return LoadWeightsFile(backbone, definition, options, pretrained, tensorNames);
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
                $"The {definition.ArchitectureName} backbone cut at {definition.CutAt ?? "its end"} gives features of shape {string.Join("x", actual)} "
                + $"for a {definition.Height}x{definition.Width} input, but the spec compiler computed {string.Join("x", definition.FeatureShape)}. "
                + "Rebuild the project so that generator and runtime are the same ModelGen version.");
        }
    }
}
