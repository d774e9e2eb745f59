using ModelGen.Export;
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
        var model = OnnxExporter.Build(backbone, head.Layers, head.Info("resnet18 " + cutAt), includePreprocessing: false);

        foreach (var batch in new[] { 3, 1 })
        {
            var input = randn(batch, 3, Size, Size);
            var logits = head.Forward(backbone.forward(input));

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
        var model = OnnxExporter.Build(backbone, head.Layers, head.Info($"{architecture} {cutAt}"), includePreprocessing: true);

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
    /// A head written as a spec writes it ("global_max_pool | dense 16 tanh | dropout | dense 4"): the layers
    /// the exporter takes, and the computation the generated <c>ForwardHead</c> does, with random weights.
    /// </summary>
    private sealed class TestHead
    {
        private readonly List<Func<Tensor, Tensor>> _steps = [];

        public TestHead(string spec, long[] featureShape)
        {
            manual_seed(5);
            var features = featureShape[1..].Aggregate(1L, (a, b) => a * b);
            var items = spec.Split('|', StringSplitOptions.TrimEntries);
            for (var i = 0; i < items.Length; i++)
            {
                var words = items[i].Split(' ');
                switch (words[0])
                {
                    case "flatten":
                        Layers.Add(HeadLayer.Flatten());
                        _steps.Add(x => x.flatten(1));
                        break;
                    case "global_avg_pool":
                        Layers.Add(HeadLayer.GlobalAveragePool());
                        _steps.Add(x => x.mean([2, 3]));
                        features = featureShape[1];
                        break;
                    case "global_max_pool":
                        Layers.Add(HeadLayer.GlobalMaxPool());
                        _steps.Add(x => x.amax([2, 3]));
                        features = featureShape[1];
                        break;
                    case "dropout":
                        var dropout = nn.Dropout(0.5);
                        dropout.eval();
                        Layers.Add(HeadLayer.Dropout());
                        _steps.Add(dropout.forward);
                        break;
                    case "dense":
                        var units = long.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
                        var linear = nn.Linear(features, units);
                        var last = i == items.Length - 1;

                        // As the generator passes it: the last layer's activation belongs to the outputs.
                        var activation = last ? "none" : words[2];
                        Layers.Add(HeadLayer.Dense(linear, activation));
                        _steps.Add(x => Activate(linear.forward(x), activation));
                        features = units;
                        Binary = last && units == 1;
                        Units = units;
                        break;
                    default:
                        throw new ArgumentException($"Unknown head layer '{items[i]}'.", nameof(spec));
                }
            }
        }

        public List<HeadLayer> Layers { get; } = [];

        public bool Binary { get; }

        public long Units { get; }

        public OnnxExportInfo Info(string description)
        {
            var classes = Enumerable.Range(0, Binary ? 2 : (int)Units).Select(c => "class" + c).ToList();
            return new OnnxExportInfo("Test", classes, Binary, Binary ? "sigmoid" : "softmax", description);
        }

        public Tensor Forward(Tensor features) => _steps.Aggregate(features, (x, step) => step(x));

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

        private static Tensor Activate(Tensor x, string activation) => activation switch
        {
            "relu" => nn.functional.relu(x),
            "sigmoid" => x.sigmoid(),
            "tanh" => x.tanh(),
            "gelu" => nn.functional.gelu(x),
            "softmax" => nn.functional.softmax(x, 1),
            "none" => x,
            _ => throw new ArgumentException($"Unknown activation '{activation}'.", nameof(activation)),
        };
    }
}
