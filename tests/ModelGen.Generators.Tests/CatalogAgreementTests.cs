using ModelGen.Backbones;
using ModelGen.Generators.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The generator's build-time catalog against the models the runtime really builds: every parameter
/// (name, shape, order), every layer's parameter count, and every cut point's output shape.
/// </summary>
public sealed class CatalogAgreementTests
{
    public static TheoryData<string> TorchVisionArchitectures => new(TorchVisionCatalog.Architectures);

    [Theory]
    [MemberData(nameof(TorchVisionArchitectures))]
    public void Catalog_AgreesWithTheTorchSharpModel(string architecture)
    {
        // Inception v3 needs at least 75x75 (its Mixed_7a collapses a 64x64 input).
        var size = architecture == "inception_v3" ? 96 : 64;
        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, size, size));
        using var scope = NewDisposeScope();
        var discarded = new List<nn.Module>();
        var stages = TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded);
        var definition = new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, null, [3, size, size], [0, 0, 0], 3, BatchNormMode.Frozen, "");
        using var backbone = new Backbone(definition, stages, Preprocessing.ImageNet);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        // Parameters: the same names, shapes and order.
        var actual = backbone.named_parameters().Select(p => $"{p.name} {string.Join("x", p.parameter.shape)}").ToList();
        var expected = layout.Parameters.Select(p => $"{p.Name} {string.Join("x", p.Shape)}").ToList();
        Assert.Equal(expected, actual);

        // Every catalog layer exists with the same parameter count.
        var modules = backbone.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
        foreach (var layer in layout.Layers.Where(l => l.Parameters > 0 || modules.ContainsKey(l.Name)))
        {
            Assert.True(modules.TryGetValue(layer.Name, out var module), $"{architecture}: the runtime model has no layer {layer.Name}");
            Assert.Equal(layer.Parameters, module!.parameters().Sum(p => p.numel()));
        }

        // Every cut point: the same output shape.
        backbone.eval();
        using var inference = inference_mode();
        var outputs = new Dictionary<string, long[]>();
        var x = zeros(1, 3, size, size);
        foreach (var (name, stage) in backbone.named_children())
        {
            x = Run((nn.Module<Tensor, Tensor>)stage, name, x, outputs);
        }

        foreach (var layer in layout.Layers.Where(l => l.CanCut))
        {
            Assert.True(outputs.TryGetValue(layer.Name, out var shape), $"{architecture}: no output recorded for cut point {layer.Name}");
            Assert.Equal(new[] { 1, layer.Output.Channels, layer.Output.Height, layer.Output.Width }, shape);
        }
    }

    /// <summary>
    /// The vision transformers, built as a generated model builds them (BackboneFactory, which also checks the
    /// output shape against the layout's) at every cut point: parameters (the class token first, as in
    /// torchvision's state_dict), each layer's parameter count, and the token shape.
    /// </summary>
    [Theory]
    [InlineData("vit_b_16", 64, 48)]
    [InlineData("vit_b_32", 64, 96)]
    public void Catalog_AgreesWithTheVisionTransformer(string architecture, int height, int width)
    {
        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, height, width));
        var cuts = layout.Layers.Where(l => l.CanCut).ToList();
        Assert.Contains(cuts, l => l.Name == layout.DefaultCut);
        Assert.Equal(
            ["encoder", "encoder.dropout", "encoder.layers", .. Enumerable.Range(0, 12).Select(i => $"encoder.layers.encoder_layer_{i}"), "encoder.ln"],
            cuts.Select(l => l.Name));
        foreach (var cut in cuts)
        {
            using var scope = NewDisposeScope();
            var definition = new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, cut.Name, [3, height, width], cut.Output.Shape, 3, BatchNormMode.Frozen, "");
            using var backbone = BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);

            var actual = backbone.named_parameters().Select(p => $"{p.name} {string.Join("x", p.parameter.shape)}").ToList();
            var expected = layout.Parameters.Take(cut.FirstParameter + cut.ParameterCount).Select(p => $"{p.Name} {string.Join("x", p.Shape)}").ToList();
            Assert.Equal(expected, actual);

            var modules = backbone.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
            var parameters = backbone.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var layer in layout.Layers.Take(layout.LastIndexWithin(layout.IndexOf(cut.Name)) + 1).Where(l => l.Parameters > 0 && !cut.Name.StartsWith(l.Name + ".", StringComparison.Ordinal)))
            {
                // A container the cut runs through keeps only part of its layers; the others are whole.
                var count = layer.Type == "Parameter"
                    ? parameters.TryGetValue(layer.Name, out var parameter) ? parameter.numel() : -1
                    : modules.TryGetValue(layer.Name, out var module) ? module.parameters().Sum(p => p.numel()) : -1;
                Assert.True(layer.Parameters == count, $"{architecture} cut at {cut.Name}: {layer.Name} has {count} parameters at run time, {layer.Parameters} in the layout");
            }
        }

        var patch = architecture == "vit_b_16" ? 16 : 32;
        Assert.Equal(new long[] { 1 + (height / patch * (width / patch)), 768 }, layout.Find(layout.DefaultCut)!.Output.Shape);
    }

    /// <summary>
    /// swin_t, built as a generated model builds it at every cut point (BackboneFactory checks the channels-first
    /// output against the layout's shape): parameters in state_dict order and each whole layer's parameter count.
    /// </summary>
    [Theory]
    [InlineData(72, 100)]
    public void Catalog_AgreesWithTheSwinTransformer(int height, int width)
    {
        var layout = BackboneCatalog.Build("swin_t", new FeatureMap(3, height, width));
        var cuts = layout.Layers.Where(l => l.CanCut).ToList();
        Assert.Equal(["features", "features.0", "features.1", "features.1.0", "features.1.1", "features.2", "features.3"], cuts.Take(7).Select(l => l.Name));
        Assert.Equal("norm", cuts[^1].Name);
        Assert.Equal(["features.1", "features.3", "features.5", "features.7"], new[] { "stage1", "stage2", "stage3", "stage4" }.Select(a => layout.FindAlias(a)!.Last));
        foreach (var cut in cuts)
        {
            using var scope = NewDisposeScope();
            var definition = new BackboneDefinition(Architecture.SwinT, WeightsKind.None, cut.Name, [3, height, width], cut.Output.Shape, 3, BatchNormMode.Frozen, "");
            using var backbone = BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);

            var actual = backbone.named_parameters().Select(p => $"{p.name} {string.Join("x", p.parameter.shape)}").ToList();
            var expected = layout.Parameters.Take(cut.FirstParameter + cut.ParameterCount).Select(p => $"{p.Name} {string.Join("x", p.Shape)}").ToList();
            Assert.Equal(expected, actual);

            var modules = backbone.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
            var parameters = backbone.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var layer in layout.Layers.Take(layout.LastIndexWithin(layout.IndexOf(cut.Name)) + 1).Where(l => l.Parameters > 0 && !cut.Name.StartsWith(l.Name + ".", StringComparison.Ordinal)))
            {
                var count = layer.Type == "Parameter"
                    ? parameters.TryGetValue(layer.Name, out var parameter) ? parameter.numel() : -1
                    : modules.TryGetValue(layer.Name, out var module) ? module.parameters().Sum(p => p.numel()) : -1;
                Assert.True(layer.Parameters == count, $"swin_t cut at {cut.Name}: {layer.Name} has {count} parameters at run time, {layer.Parameters} in the layout");
            }
        }

        Assert.Equal(new long[] { 768, 3, 4 }, layout.Find(layout.DefaultCut)!.Output.Shape);
    }

    [Theory]
    [InlineData(224)]
    [InlineData(128)]
    public void Catalog_AgreesWithTheImportedResNet18Mlnet(int size)
    {
        var layout = BackboneCatalog.Build("resnet18_mlnet", new FeatureMap(3, size, size));
        var model = ModelGen.Onnx.OnnxFile.Load(ResNet18MlnetFiles.Find(ResNet18MlnetFiles.ModelFile, new ModelOptions()));
        using var graph = new ModelGen.Onnx.OnnxGraphModule(model, layout.DefaultCut, new ModelGen.Onnx.ResNet18MlnetNaming(), loadWeights: false);

        var actual = graph.named_parameters().Select(p => $"{p.name} {string.Join("x", p.parameter.shape)}").ToList();
        var expected = layout.Parameters.Select(p => $"{p.Name} {string.Join("x", p.Shape)}").ToList();
        Assert.Equal(expected, actual);

        var modules = graph.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
        foreach (var layer in layout.Layers.Where(l => l.Parameters > 0))
        {
            Assert.True(modules.TryGetValue(layer.Name, out var module), $"resnet18_mlnet: the imported graph has no layer {layer.Name}");
            Assert.Equal(layer.Parameters, module!.parameters().Sum(p => p.numel()));
        }

        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        foreach (var layer in layout.Layers.Where(l => l.CanCut))
        {
            using var cut = new ModelGen.Onnx.OnnxGraphModule(model, layer.Name, new ModelGen.Onnx.ResNet18MlnetNaming(), loadWeights: false);
            var shape = cut.forward(zeros(1, 3, size, size)).shape;
            Assert.Equal(new[] { 1, layer.Output.Channels, layer.Output.Height, layer.Output.Width }, shape);
        }
    }

    /// <summary>Runs a module, recording the output of every element of every chain inside it.</summary>
    private static Tensor Run(nn.Module<Tensor, Tensor> module, string name, Tensor input, Dictionary<string, long[]> outputs)
    {
        var x = input;
        if (module is TorchSharp.Modules.Sequential)
        {
            foreach (var (child, childModule) in module.named_children())
            {
                x = Run((nn.Module<Tensor, Tensor>)childModule, name + "." + child, x, outputs);
            }
        }
        else
        {
            x = module.forward(x);
        }

        outputs[name] = x.shape;
        return x;
    }
}
