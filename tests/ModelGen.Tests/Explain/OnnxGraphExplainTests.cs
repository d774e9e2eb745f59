using Google.Protobuf;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ModelGen.Tests.Explain;

/// <summary>
/// Explain on a model whose backbone is an imported ONNX graph (ImportedGraph: a binary head, one logit): the
/// gradient is taken at the graph's output, so it works with the graph trainable or frozen, and each of the two
/// classes gets its own map.
/// </summary>
public sealed class OnnxGraphExplainTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Explain_OnAnImportedGraph_GivesAMapOfTheInputSize_ForEachOfTheTwoClasses()
    {
        using var model = ImportedGraph.Create(new ModelOptions { WeightsPath = WriteGraph(), Device = CPU, Seed = 1 });
        var image = WriteImage();
        var before = model.parameters().Select(p => p.requires_grad).ToList();

        using var predicted = model.Explain(image);
        using var a = model.Explain(image, ImportedGraphLabel.A);
        using var b = model.Explain(image, ImportedGraphLabel.B);

        Assert.Equal([16, 16], predicted.Heatmap.shape);
        Assert.Equal(model.Predict(image).Label, predicted.Label);
        Assert.Equal(1.0, a.Probabilities.Sum(), 5);
        Assert.Equal(model.Predict(image).Probabilities, a.Probabilities);
        Assert.Equal((ImportedGraphLabel.A, ImportedGraphLabel.B), (a.Label, b.Label));
        foreach (var map in new[] { a, b })
        {
            var values = map.Heatmap.data<float>().ToArray();
            Assert.All(values, v => Assert.True(v is >= 0f and <= 1f, $"heatmap value {v}"));
            Assert.True(values.Max() == 1f || values.All(v => v == 0f));
        }

        // One logit: the evidence for a is the evidence against b, so where one map is hot the other is cold.
        Assert.False(a.Heatmap.Identical(b.Heatmap));
        Assert.Equal(before, model.parameters().Select(p => p.requires_grad));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null));
    }

    [Fact]
    public void Explain_OnAFrozenImportedGraph_Works()
    {
        using var model = ImportedGraph.Create(new ModelOptions { WeightsPath = WriteGraph(), Device = CPU, Seed = 1 });
        model.Backbone.Freeze(ModelGen.Backbones.FreezeBoundary.All);
        var image = WriteImage();

        using var explanation = model.Explain(image, ImportedGraphLabel.B);

        Assert.Equal([16, 16], explanation.Heatmap.shape);
        Assert.All(model.Backbone.parameters(), p => Assert.False(p.requires_grad));
    }

    public void Dispose() => _temp.Dispose();

    private string WriteImage()
    {
        var path = _temp["image.png"];
        using var image = new Image<Rgb24>(16, 16);
        for (var y = 0; y < 16; y++)
        {
            for (var x = 0; x < 16; x++)
            {
                image[x, y] = x < 8 && y < 8 ? new Rgb24(250, 200, 30) : new Rgb24((byte)(x * 10), (byte)(y * 10), 90);
            }
        }

        image.SaveAsPng(path);
        return path;
    }

    // Like OnnxSpecTests' graph: conv, relu, the cut, then more the model does not keep.
    private string WriteGraph()
    {
        var graph = new OnnxGraph([1, 3, 16, 16]);
        var conv = graph.Node("Conv", ["x", graph.Initializer("w", [8, 3, 3, 3])], "c", ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }));
        var relu = graph.Node("Relu", [conv], "r");
        var pool = graph.Node("MaxPool", [relu], "p", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var after = graph.Node("Conv", [pool, graph.Initializer("w2", [4, 8, 1, 1])], "y");
        var path = _temp["graph.onnx"];
        File.WriteAllBytes(path, graph.Build(after).ToByteArray());
        return path;
    }
}
