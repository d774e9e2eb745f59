using ModelGen.Export;
using ModelGen.Heads;
using Tensor = TorchSharp.torch.Tensor;
using static ModelGen.Tests.Export.ExportCheck;
using static TorchSharp.torch;

namespace ModelGen.Tests.Export;

/// <summary>
/// Every head a spec can write, exported on a small random ResNet18 and run by ONNX Runtime: pooling or
/// flattening, each hidden activation, dropout, a binary or a multi-class output; and a torchvision backbone
/// exported with its ImageNet normalisation in the graph. Batch sizes the export never saw; 1e-4 relative.
/// </summary>
public sealed class OnnxExportHeadTests
{
    private const int Size = 32;

    [Theory]
    [InlineData("layer1", "global_avg_pool | dense 16 sigmoid | dense 4")]
    [InlineData("layer2", "global_max_pool | dense 16 tanh | dropout | dense 4")]
    [InlineData("layer1", "flatten | dense 16 relu | dropout | dense 1")]
    [InlineData("layer2", "global_max_pool | dense 16 gelu | dense 8 softmax | dense 3")]
    [InlineData("layer2", "flatten | dense 12 none | dense 1")]
    [InlineData("layer1", "global_avg_pool | dropout | dense 5")]
    [InlineData("layer2", "global_max_pool | dense 1")]
    public void HeadVariant_ExportsTo_WhatOnnxRuntimeComputesAlike(string cutAt, string headSpec)
    {
        using var scope = NewDisposeScope();
        using var backbone = CatalogBackbone("resnet18", Size, cutAt);
        var head = new TestHead(headSpec, backbone.forward(zeros(1, 3, Size, Size)).shape);
        var model = OnnxExporter.Build(backbone, head.Module, head.Info("resnet18 " + cutAt), includePreprocessing: false);

        foreach (var batch in new[] { 3, 1 })
        {
            var input = randn(batch, 3, Size, Size);
            var features = backbone.forward(input);
            var logits = head.Forward(features);
            AssertClose(logits, head.Module.forward(features), $"{headSpec}: the Head module against the reference, batch {batch}");

            var results = Run(model, OnnxExporter.InputName(includePreprocessing: false), input);

            AssertClose(logits, results["logits"], $"{headSpec}: logits, batch {batch}");
            AssertClose(head.Probabilities(logits), results["probabilities"], $"{headSpec}: probabilities, batch {batch}");
        }
    }

    [Theory]
    [InlineData("resnet18", "layer2", "global_avg_pool | dense 8 relu | dense 3")]
    [InlineData("mobilenet_v2", "features.3", "flatten | dense 8 tanh | dropout | dense 1")]
    public void CatalogBackbone_ExportedWithPreprocessing_TakesRgbInUnitRange(string architecture, string cutAt, string headSpec)
    {
        using var scope = NewDisposeScope();
        const int size = 64;
        using var backbone = CatalogBackbone(architecture, size, cutAt);
        var head = new TestHead(headSpec, backbone.forward(zeros(1, 3, size, size)).shape);
        var model = OnnxExporter.Build(backbone, head.Module, head.Info($"{architecture} {cutAt}"), includePreprocessing: true);

        foreach (var batch in new[] { 3, 1 })
        {
            var images = rand(batch, 3, size, size);
            var logits = head.Forward(backbone.forward(backbone.Input.Preprocessing.Apply(images)));

            var results = Run(model, OnnxExporter.InputName(includePreprocessing: true), images);

            AssertClose(logits, results["logits"], $"{architecture}: logits, batch {batch}");
            AssertClose(head.Probabilities(logits), results["probabilities"], $"{architecture}: probabilities, batch {batch}");
        }

        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.StartsWith("included: ", metadata["modelgen.preprocessing"], StringComparison.Ordinal);
    }

    /// <summary>
    /// A head written as a spec writes it ("global_max_pool | dense 16 tanh | dropout | dense 4"): the
    /// runtime's <see cref="Head"/> built from it with random weights, and the computation it should do,
    /// written out step by step (independent of <see cref="Head.forward"/>), as the reference.
    /// </summary>
    private sealed class TestHead
    {
        public TestHead(string spec, long[] featureShape)
        {
            manual_seed(5);
            var layers = spec.Split('|', StringSplitOptions.TrimEntries).Select(Parse).ToList();
            Module = new Head(featureShape[1..], layers);
            Module.eval();
        }

        public Head Module { get; }

        public bool Binary => Module.Units == 1;

        public OnnxExportInfo Info(string description)
        {
            var classes = Enumerable.Range(0, Binary ? 2 : (int)Module.Units).Select(c => "class" + c).ToList();
            return new OnnxExportInfo("Test", classes, description);
        }

        public Tensor Forward(Tensor features)
        {
            var x = features;
            var layers = Module.Layers;
            for (var i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                switch (layer.Kind)
                {
                    case HeadLayerKind.Flatten:
                        x = x.flatten(1);
                        break;
                    case HeadLayerKind.GlobalAveragePool:
                        x = x.mean([2, 3]);
                        break;
                    case HeadLayerKind.GlobalMaxPool:
                        x = x.amax([2, 3]);
                        break;
                    case HeadLayerKind.Dense:
                        var linear = Module.Dense(i);
                        x = x.matmul(linear.weight!.t()) + linear.bias!;

                        // The last layer gives logits: its activation belongs to the outputs.
                        x = i == layers.Count - 1 ? x : Activate(x, layer.Activation);
                        break;
                }
            }

            return x;
        }

        /// <summary>As the generated <c>Probabilities</c>: [1 - p, p] for one unit, else softmax.</summary>
        public Tensor Probabilities(Tensor logits)
        {
            if (!Binary)
            {
                return nn.functional.softmax(logits, 1);
            }

            var positive = logits.sigmoid();
            return cat([1 - positive, positive], 1);
        }

        private static HeadLayer Parse(string item)
        {
            var words = item.Split(' ');
            return words[0] switch
            {
                "flatten" => HeadLayer.Flatten(),
                "global_avg_pool" => HeadLayer.GlobalAveragePool(),
                "global_max_pool" => HeadLayer.GlobalMaxPool(),
                "dropout" => HeadLayer.Dropout(0.5),
                "dense" => HeadLayer.Dense(
                    long.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture),
                    words.Length > 2 ? Enum.Parse<Activation>(words[2], ignoreCase: true) : Activation.None),
                _ => throw new ArgumentException($"Unknown head layer '{item}'.", nameof(item)),
            };
        }

        private static Tensor Activate(Tensor x, Activation activation) => activation switch
        {
            Activation.Relu => nn.functional.relu(x),
            Activation.Sigmoid => x.sigmoid(),
            Activation.Tanh => x.tanh(),
            Activation.Gelu => nn.functional.gelu(x),
            Activation.Softmax => nn.functional.softmax(x, 1),
            _ => x,
        };
    }
}
