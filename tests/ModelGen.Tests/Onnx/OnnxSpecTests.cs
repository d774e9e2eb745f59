using Google.Protobuf;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Onnx;

/// <summary>A spec with <c>architecture: onnx</c>: the graph is imported, cut at a node, checked against the declared shape, and trains.</summary>
public sealed class OnnxSpecTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-onnx-spec-").FullName;

    [Fact]
    public void OnnxBackbone_IsCutAtTheNode_AndItsLayersTrain()
    {
        var path = WriteGraph();
        using var model = ImportedGraph.Create(new ModelOptions { WeightsPath = path, Device = CPU });

        Assert.Equal(["Conv_0"], model.Backbone.StageNames);
        using var scope = NewDisposeScope();
        var output = model.forward(rand(2, 3, 16, 16));
        Assert.Equal([2, 1], output.shape);
        Assert.NotEmpty(model.Backbone.TrainableParameters());
        Assert.DoesNotContain(model.Backbone.named_parameters(), p => p.name.Contains("Conv_3", StringComparison.Ordinal));
    }

    [Fact]
    public void OnnxBackbone_WithAnotherShapeThanDeclared_FailsAtCreation()
    {
        var path = WriteGraph(channels: 6);

        var error = Assert.Throws<InvalidOperationException>(() => ImportedGraph.Create(new ModelOptions { WeightsPath = path, Device = CPU }));

        Assert.Contains("6x8x8", error.Message);
        Assert.Contains("8x8x8", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteGraph(int channels = 8)
    {
        var graph = new OnnxGraph([1, 3, 16, 16]);
        var conv = graph.Node("Conv", ["x", graph.Initializer("w", [channels, 3, 3, 3])], "c", ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }));
        var relu = graph.Node("Relu", [conv], "r");
        var pool = graph.Node("MaxPool", [relu], "p", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var after = graph.Node("Conv", [pool, graph.Initializer("w2", [4, channels, 1, 1])], "y");
        var path = Path.Combine(_folder, "graph.onnx");
        File.WriteAllBytes(path, graph.Build(after).ToByteArray());
        return path;
    }
}
