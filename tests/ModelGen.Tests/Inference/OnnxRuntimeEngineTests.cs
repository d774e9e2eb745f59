using ModelGen.Backbones;
using ModelGen.Inference;
using ModelGen.Shared;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static ModelGen.Tests.Export.ExportCheck;
using static TorchSharp.torch;

namespace ModelGen.Tests.Inference;

/// <summary>
/// ONNX Runtime as the engine of inference-only passes (issue 16): the exported cut backbone in ONNX Runtime computes
/// LibTorch's features within 1e-4 of their magnitude for every catalog family the exporter supports, and a generated
/// model's Extract with <see cref="InferenceEngine.OnnxRuntime"/> gives the features of its LibTorch Extract.
/// </summary>
public sealed class OnnxRuntimeEngineTests
{
    /// <summary>The first catalog architecture of each family, transformers excepted (the exporter has no form for them).</summary>
    public static TheoryData<string> Families => new(TorchVisionCatalog.Architectures
        .GroupBy(a => SpecWords.FamilyOf(ArchitectureNames.Parse(a)))
        .Where(g => g.Key is not (ArchitectureFamily.VisionTransformer or ArchitectureFamily.Swin))
        .Select(g => g.First()));

    [Theory]
    [MemberData(nameof(Families))]
    public void CutBackbone_InOnnxRuntime_ComputesLibTorchsFeatures(string architecture)
    {
        using var scope = NewDisposeScope();
        var size = architecture == "inception_v3" ? 96 : 64; // Inception v3 needs at least 75x75
        using var backbone = CatalogBackbone(architecture, size);
        using var session = new OnnxRuntimeBackbone(backbone, threads: 2);

        foreach (var batch in new[] { 1, 3 })
        {
            var input = randn(batch, 3, size, size);
            using (inference_mode())
            {
                AssertClose(backbone.forward(input), session.Run(input), $"{architecture}, batch {batch}");
            }
        }
    }

    [Fact]
    public void Session_IsMadeAgain_WhenTheWeightsChange()
    {
        using var scope = NewDisposeScope();
        using var backbone = CatalogBackbone("resnet18", 32, cutAt: "layer1");
        var first = OnnxRuntimeBackbone.For(backbone, 1);
        Assert.Same(first, OnnxRuntimeBackbone.For(backbone, 1));

        using (no_grad())
        {
            backbone.parameters().First().mul_(2);
        }

        var second = OnnxRuntimeBackbone.For(backbone, 1);
        Assert.NotSame(first, second);
        var input = randn(2, 3, 32, 32);
        using (inference_mode())
        {
            AssertClose(backbone.forward(input), second.Run(input), "after the weights changed");
        }
    }

    [Fact]
    public void GeneratedModel_ExtractInOnnxRuntime_GivesLibTorchsFeatures_AndSaysWhichEngineRan()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var torchLog = new CapturingLogger();
        var onnxLog = new CapturingLogger();
        using var torchModel = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache-torch"], Device = CPU, Logger = torchLog, InferenceEngine = InferenceEngine.Torch });
        using var onnxModel = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache-onnx"], Device = CPU, Logger = onnxLog, InferenceEngine = InferenceEngine.OnnxRuntime });

        using var expected = torchModel.Extract(images);
        using var actual = onnxModel.Extract(images);

        Assert.Equal(20, actual.Count);
        AssertClose(expected.Features, actual.Features, "Extract's features");
        Assert.Equal(expected.Labels.data<long>().ToArray(), actual.Labels.data<long>().ToArray());
        Assert.Equal("torch", Assert.Single(torchLog.Of(LogEvents.InferenceEngineChosen)).Properties["Engine"]);
        var chosen = Assert.Single(onnxLog.Of(LogEvents.InferenceEngineChosen));
        Assert.Equal("onnxruntime", chosen.Properties["Engine"]);
        Assert.Equal("Extract", chosen.Properties["Pass"]);
    }

    [Fact]
    public void Engine_ComesFromTheOption_ThenTheVariable_AndAutoOrAGpuRunsLibTorch()
    {
        using var scope = NewDisposeScope();
        using var backbone = CatalogBackbone("resnet18", 32, cutAt: "layer1");
        var log = new CapturingLogger();

        Assert.Equal(InferenceEngine.OnnxRuntime, InferenceEngines.Requested(new ModelOptions { InferenceEngine = InferenceEngine.OnnxRuntime }));
        Assert.False(InferenceEngines.UseOnnxRuntime(new ModelOptions { InferenceEngine = InferenceEngine.Auto, Logger = log }, backbone, CPU, "Extract"));
        Assert.Contains("auto", Assert.Single(log.Of(LogEvents.InferenceEngineChosen)).Properties["Reason"] as string, StringComparison.Ordinal);
        Assert.False(InferenceEngines.UseOnnxRuntime(new ModelOptions { InferenceEngine = InferenceEngine.OnnxRuntime }, backbone, new Device(TorchSharp.DeviceType.CUDA, 0), "Extract"));

        // The variable's text is passed in: setting the variable would change the engine of every test running alongside.
        Assert.Equal(InferenceEngine.OnnxRuntime, InferenceEngines.Requested(new ModelOptions(), " OnnxRuntime "));
        Assert.Equal(InferenceEngine.Auto, InferenceEngines.Requested(new ModelOptions(), "auto"));
        Assert.Equal(InferenceEngine.Torch, InferenceEngines.Requested(new ModelOptions { InferenceEngine = InferenceEngine.Torch }, "onnxruntime"));
        Assert.Equal(InferenceEngine.Torch, InferenceEngines.Requested(new ModelOptions(), null));
        var error = Assert.Throws<ArgumentException>(() => InferenceEngines.Requested(new ModelOptions(), "tensorrt"));
        Assert.Contains("tensorrt", error.Message, StringComparison.Ordinal);
    }
}
