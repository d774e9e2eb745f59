using ModelGen.Heads;
using System.Text.Json;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Export;
using ModelGen.Onnx;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using Onnx;
using static ModelGen.Tests.Export.ExportCheck;
using static TorchSharp.torch;

namespace ModelGen.Tests.Export;

/// <summary>
/// Exported models against ONNX Runtime: every catalog architecture and a trained model, with batch sizes
/// the export never saw, relative error at most 1e-4; and the exported file imports back to the same model.
/// </summary>
public sealed class OnnxExportTests
{
    public static TheoryData<string> Architectures => new(TorchVisionCatalog.Architectures);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void CatalogArchitecture_ExportsTo_WhatOnnxRuntimeComputesAlike(string architecture)
    {
        using var scope = NewDisposeScope();
        var size = architecture == "inception_v3" ? 128 : 64; // Inception v3 needs at least 75x75
        using var backbone = CatalogBackbone(architecture, size);
        var channels = backbone.forward(zeros(1, 3, size, size)).shape[1];
        manual_seed(3);
        using var head = new Head([channels, 2, 2], [HeadLayer.GlobalAveragePool(), HeadLayer.Dense(16, Activation.Gelu), HeadLayer.Dropout(0.5), HeadLayer.Dense(4)]);
        var hidden = head.Dense(1);
        var output = head.Dense(3);
        var model = OnnxExporter.Build(backbone, head, new OnnxExportInfo("Test", ["a", "b", "c", "d"], architecture), includePreprocessing: false);

        foreach (var batch in new[] { 1, 3 })
        {
            var input = randn(batch, 3, size, size);
            backbone.eval();
            var features = backbone.forward(input).mean([2, 3]);
            var expected = output.forward(nn.functional.gelu(hidden.forward(features)));

            var actual = Run(model, "input", input)["logits"];

            AssertClose(expected, actual, $"{architecture}, batch {batch}");
        }

        // Round trip: the exported model imported again computes the same logits.
        using var imported = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
        imported.eval();
        var check = randn(2, 3, size, size);
        AssertClose(output.forward(nn.functional.gelu(hidden.forward(backbone.forward(check).mean([2, 3])))), imported.forward(check), $"{architecture} imported back");
    }

    [Fact]
    public void ResNet18Mlnet_ExportsWithItsPreprocessing_AndImportsBackAlike()
    {
        using var scope = NewDisposeScope();
        var options = new ModelOptions { Device = CPU };
        var definition = new BackboneDefinition(Architecture.ResNet18Mlnet, WeightsKind.ImageNet, "layer3", [3, 96, 96], [256, 6, 6], 3, BatchNormMode.Frozen, "");
        using var backbone = BackboneFactory.Create(definition, options, pretrained: true);
        manual_seed(4);
        using var head = new Head([256, 6, 6], [HeadLayer.Flatten(), HeadLayer.Dense(1, Activation.Sigmoid)]);
        var dense = head.Dense(1);
        var model = OnnxExporter.Build(backbone, head, new OnnxExportInfo("Mlnet", ["no", "yes"], "resnet18_mlnet layer3"));
        var images = rand(5, 3, 96, 96);
        backbone.eval();
        var logits = dense.forward(backbone.forward(backbone.Input.Preprocessing.Apply(images)).flatten(1));
        var positive = logits.sigmoid();

        var results = Run(model, "image", images);

        AssertClose(logits, results["logits"], "logits");
        AssertClose(cat([1 - positive, positive], 1), results["probabilities"], "probabilities");

        // Round trip: the exported file imported again computes the same logits.
        using var imported = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
        imported.eval();
        AssertClose(logits, imported.forward(images), "imported back");
    }

    [Fact]
    public void TrainedGeneratedModel_PredictsAlikeInOnnxRuntime_AndCarriesItsClasses()
    {
        using var temp = new TempFolder();
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        using (var features = model.Extract(FashionData.Subset(FashionData.Train, perClass: 5, temp["train"])))
        {
            model.Train(features, null, new TrainOptions { MaxEpochsPerPhase = 3, Progress = ProgressMode.None, OutputDirectory = temp["out"], CheckpointDirectory = temp["checkpoints"] });
        }

        var path = temp["fashion.onnx"];
        model.ExportOnnx(path);
        var exported = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Test, perClass: 1, temp["test"]), FashionMethod1.DeclaredClasses);
        var input = new ImageInput(64, 64, 1, model.Backbone.Input.Preprocessing);

        // Seven images at once and one alone: the export fixed no batch size.
        using var scope = NewDisposeScope();
        var pixels = folder.Samples.Take(7).Select(s =>
        {
            var buffer = new float[3 * 64 * 64];
            Assert.Null(ImageDecoder.TryDecode(s.Path, input, buffer));
            return buffer;
        }).ToList();
        var batch = tensor(pixels.SelectMany(p => p).ToArray(), [7, 3, 64, 64]);
        var probabilities = Run(exported, "image", batch)["probabilities"];
        for (var i = 0; i < 7; i++)
        {
            var expected = model.Predict(folder.Samples[i].Path).Probabilities.ToArray();
            AssertClose(tensor(expected).unsqueeze(0), probabilities[i].unsqueeze(0), $"image {i}");
        }

        var single = Run(exported, "image", batch[0..1])["probabilities"];
        AssertClose(probabilities[0..1], single, "batch of one");
        var metadata = exported.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(FashionMethod1.DeclaredClasses, JsonSerializer.Deserialize<string[]>(metadata["modelgen.classes"]));
        Assert.Equal("FashionMethod1", metadata["modelgen.model"]);
        Assert.Equal("resnet18_mlnet", metadata["modelgen.architecture"]);
        Assert.Equal("layer3", metadata["modelgen.cut"]);
        Assert.Equal("3x64x64", metadata["modelgen.input"]);
        Assert.True(metadata["modelgen.spec"].StartsWith("Fashion-MNIST mini, ImageNet ResNet18 features at layer3, dense head (Specs/FashionMethod1.model.yaml: resnet18_mlnet cut at layer3, head flatten", StringComparison.Ordinal), metadata["modelgen.spec"]);
        Assert.Equal(metadata["modelgen.spec"], exported.DocString);
        Assert.Equal(17, exported.OpsetImport.Single().Version);
    }
}
