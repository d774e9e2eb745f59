using Google.Protobuf;
using ModelGen.Onnx;
using ModelGen.Tests.Infrastructure;
using Onnx;
using static TorchSharp.torch;

namespace ModelGen.Tests.Onnx;

/// <summary>Every supported ONNX operator, in small graphs written here, against ONNX Runtime.</summary>
public sealed class OnnxOperatorTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Graphs => new(Cases.Keys);

    private static readonly Dictionary<string, Func<(OnnxGraph Graph, string Output)>> Cases = new()
    {
        ["Conv symmetric pads"] = () => Conv(pads: [1, 1, 1, 1]),
        ["Conv asymmetric pads (CNTK)"] = () => Conv(pads: [1, 1, 0, 0], strides: [2, 2]),
        ["Conv groups, dilation, bias"] = () =>
        {
            var g = new OnnxGraph([1, 4, 12, 12]);
            return (g, g.Node("Conv", ["x", g.Initializer("w", [6, 2, 3, 3]), g.Initializer("b", [6])], "y", ("group", 2L), ("dilations", new long[] { 2, 2 }), ("pads", new long[] { 2, 2, 2, 2 })));
        },
        ["Conv auto_pad SAME_UPPER"] = () =>
        {
            var g = new OnnxGraph([1, 3, 9, 9]);
            return (g, g.Node("Conv", ["x", g.Initializer("w", [4, 3, 4, 4])], "y", ("auto_pad", "SAME_UPPER"), ("strides", new long[] { 2, 2 })));
        },
        ["BatchNormalization"] = () =>
        {
            var g = new OnnxGraph([2, 3, 5, 5]);
            var variance = g.Initializer("var", [3], [0.5f, 1.5f, 2f]);
            return (g, g.Node("BatchNormalization", ["x", g.Initializer("s", [3]), g.Initializer("b", [3]), g.Initializer("m", [3]), variance], "y", ("epsilon", 1e-3f)));
        },
        ["Relu"] = () => Unary("Relu"),
        ["LeakyRelu"] = () => Unary("LeakyRelu", ("alpha", 0.2f)),
        ["Sigmoid"] = () => Unary("Sigmoid"),
        ["Tanh"] = () => Unary("Tanh"),
        ["Elu"] = () => Unary("Elu", ("alpha", 0.7f)),
        ["HardSigmoid"] = () => Unary("HardSigmoid"),
        ["HardSwish"] = () => Unary("HardSwish", opset: 14),
        ["Softmax"] = () => Unary("Softmax", ("axis", 1L)),
        ["Softmax opset 11 (flattens at the axis)"] = () => Unary("Softmax", ("axis", 2L), opset: 11),
        ["Softmax opset 11 default axis"] = () => Unary("Softmax", opset: 11),
        ["Erf"] = () => Unary("Erf"),
        ["Clip (ReLU6, inputs)"] = () =>
        {
            var g = new OnnxGraph([1, 2, 4, 4]);
            var mul = g.Node("Mul", ["x", g.Initializer("k", [1], [8f])], "big");
            return (g, g.Node("Clip", [mul, g.Initializer("lo", [], [0f]), g.Initializer("hi", [], [6f])], "y"));
        },
        ["Clip opset 10 (min and max attributes)"] = () => Unary("Clip", opset: 10, attributes: [("min", -0.4f), ("max", 0.6f)]),
        ["Clip opset 10 (max attribute only)"] = () => Unary("Clip", ("max", 0.3f), opset: 10),
        ["MaxPool"] = () => Pool("MaxPool", [3, 3], [2, 2], [1, 1, 1, 1]),
        ["MaxPool asymmetric pads"] = () => Pool("MaxPool", [3, 3], [2, 2], [1, 1, 0, 0]),
        ["MaxPool ceil mode"] = () => Pool("MaxPool", [3, 3], [2, 2], [0, 0, 0, 0], ("ceil_mode", 1L)),
        ["AveragePool excluding pads"] = () => Pool("AveragePool", [3, 3], [2, 2], [1, 1, 1, 1]),
        ["AveragePool including pads"] = () => Pool("AveragePool", [3, 3], [1, 1], [1, 1, 1, 1], ("count_include_pad", 1L)),
        ["AveragePool asymmetric pads"] = () => Pool("AveragePool", [2, 2], [2, 2], [1, 0, 0, 1]),
        ["GlobalAveragePool"] = () => Unary("GlobalAveragePool"),
        ["GlobalMaxPool"] = () => Unary("GlobalMaxPool"),
        ["Add Sub Mul Div with broadcast constants"] = () =>
        {
            var g = new OnnxGraph([2, 3, 4, 4]);
            var a = g.Node("Add", ["x", g.Initializer("c1", [1, 3, 1, 1])], "a");
            var s = g.Node("Sub", [a, g.Initializer("c2", [4])], "s");
            var m = g.Node("Mul", [s, g.Initializer("c3", [3, 1, 1])], "m");
            return (g, g.Node("Div", [m, g.Initializer("c4", [1], [4f])], "y"));
        },
        ["Concat"] = () =>
        {
            var g = new OnnxGraph([1, 2, 3, 3]);
            var r = g.Node("Relu", ["x"], "r");
            return (g, g.Node("Concat", ["x", r], "y", ("axis", 1L)));
        },
        ["Flatten and Gemm"] = () =>
        {
            var g = new OnnxGraph([2, 3, 2, 2]);
            var f = g.Node("Flatten", ["x"], "f", ("axis", 1L));
            return (g, g.Node("Gemm", [f, g.Initializer("w", [5, 12]), g.Initializer("b", [5])], "y", ("transB", 1L), ("alpha", 0.5f), ("beta", 2f)));
        },
        ["Reshape and MatMul"] = () =>
        {
            var g = new OnnxGraph([2, 3, 2, 2]);
            var r = g.Node("Reshape", ["x", g.Longs("shape", 0, -1)], "r");
            return (g, g.Node("MatMul", [r, g.Initializer("w", [12, 4])], "y"));
        },
        ["MatMul of two computed values"] = () =>
        {
            var g = new OnnxGraph([2, 3, 4, 5]);
            var t = g.Node("Transpose", ["x"], "t", ("perm", new long[] { 0, 1, 3, 2 }));
            return (g, g.Node("MatMul", ["x", t], "y"));
        },
        ["Gather (channels reordered)"] = () =>
        {
            var g = new OnnxGraph([2, 3, 4, 4]);
            return (g, g.Node("Gather", ["x", g.Longs("order", 2, 1, 0)], "y", ("axis", 1L)));
        },
        ["Gather negative indexes and axis"] = () =>
        {
            var g = new OnnxGraph([2, 3, 4, 5]);
            return (g, g.Node("Gather", ["x", g.Longs("picked", -1, 0, -3)], "y", ("axis", -1L)));
        },
        ["Gather one index (drops the axis)"] = () =>
        {
            var g = new OnnxGraph([2, 3, 4, 5]);
            return (g, g.Node("Gather", ["x", g.ScalarLong("first", 1)], "y", ("axis", 2L)));
        },
        ["Transpose"] = () => Unary("Transpose", ("perm", new long[] { 0, 2, 3, 1 })),
        ["Squeeze and Unsqueeze"] = () =>
        {
            var g = new OnnxGraph([1, 3, 1, 4]);
            var s = g.Node("Squeeze", ["x", g.Longs("axes", 2)], "s");
            return (g, g.Node("Unsqueeze", [s, g.Longs("axes2", 0)], "y"));
        },
        ["Pad constant"] = () => PadCase("constant"),
        ["Pad reflect"] = () => PadCase("reflect"),
        ["Pad edge"] = () => PadCase("edge"),
        ["Constant"] = () =>
        {
            var g = new OnnxGraph([1, 2, 2, 2]);
            var value = new TensorProto { DataType = 1, RawData = ByteString.CopyFrom(BitConverter.GetBytes(3f)) };
            var c = g.Node("Constant", [], "c", ("value", value));
            return (g, g.Node("Mul", ["x", c], "y"));
        },
        ["Fan-out (a value read by two nodes lives until its last reader)"] = FanOut,
        ["Identity and Dropout"] = () =>
        {
            var g = new OnnxGraph([1, 2, 3, 3]);
            var i = g.Node("Identity", ["x"], "i");
            return (g, g.Node("Dropout", [i], "y"));
        },
    };

    [Theory]
    [MemberData(nameof(Graphs))]
    public void ImportedGraph_MatchesOnnxRuntime(string name)
    {
        var (graph, output) = Cases[name]();
        var model = graph.Build(output);
        var input = graph.RandomInput();

        var expected = OnnxReference.Run(model, "x", input, graph.InputShape)[output];
        using var module = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
        module.eval();
        using var scope = NewDisposeScope();
        var actual = module.forward(tensor(input, graph.InputShape));

        Assert.Equal(expected.Shape, actual.shape);
        Assert.True(OnnxReference.RelativeError(actual, expected.Values) <= Tolerance, $"{name}: relative error {OnnxReference.RelativeError(actual, expected.Values):E2}");

        // Round trip: the imported graph exported again (opset 17) runs alike in ONNX Runtime and imports back alike.
        var exported = ModelGen.Export.OnnxExporter.ExportGraph(module, graph.InputShape);
        var again = OnnxReference.Run(exported, "x", input, graph.InputShape)["y"];
        Assert.True(OnnxReference.RelativeError(actual, again.Values) <= Tolerance, $"{name}: exported, relative error {OnnxReference.RelativeError(actual, again.Values):E2}");
        using var reimported = new OnnxGraphModule(exported, cutAt: null, OnnxNaming.NodeNames);
        reimported.eval();
        var back = reimported.forward(tensor(input, graph.InputShape));
        Assert.True(back.allclose(actual, rtol: 1e-5, atol: 1e-6), $"{name}: imported back differs");
    }

    [Fact]
    public void Forward_FreesIntermediateValues_AndLeavesTheInputAlone()
    {
        var (graph, output) = FanOut();
        using var module = new OnnxGraphModule(graph.Build(output), cutAt: null, OnnxNaming.NodeNames);
        module.eval();
        using var scope = NewDisposeScope();
        var input = tensor(graph.RandomInput(), graph.InputShape);

        var first = module.forward(input);
        Assert.Equal(2, scope.DisposablesCount); // the input and the output
        var second = module.forward(input);

        Assert.False(input.IsInvalid);
        Assert.True(first.allclose(second, rtol: 0, atol: 0));
    }

    [Fact]
    public void UnsupportedOperator_IsNamedWithItsNode()
    {
        var graph = new OnnxGraph([1, 3, 8, 8]);
        var output = graph.Node("LRN", ["x"], "y", ("size", 3L));

        var error = Assert.Throws<OnnxImportException>(() => new OnnxGraphModule(graph.Build(output), null, OnnxNaming.NodeNames));

        Assert.Contains("'LRN'", error.Message);
        Assert.Contains("LRN_0", error.Message);
    }

    [Fact]
    public void GatherWithAMatrixOfIndexes_IsRefusedByName()
    {
        var graph = new OnnxGraph([1, 3, 4, 4]);
        var output = graph.Node("Gather", ["x", graph.Longs("pairs", 0, 1, 2, 0)], "y", ("axis", 1L));
        var model = graph.Build(output);
        var indexes = model.Graph.Initializer.Single(t => t.Name == "pairs");
        indexes.Dims.Clear();
        indexes.Dims.AddRange([2, 2]);

        var error = Assert.Throws<OnnxImportException>(() => new OnnxGraphModule(model, null, OnnxNaming.NodeNames));

        Assert.Contains("Gather_0", error.Message);
        Assert.Contains("2-D indexes", error.Message);
    }

    [Fact]
    public void CutAtAMissingNode_ListsTheNodes()
    {
        var (graph, output) = Conv(pads: [1, 1, 1, 1]);

        var error = Assert.Throws<OnnxImportException>(() => new OnnxGraphModule(graph.Build(output), "nowhere", OnnxNaming.NodeNames));

        Assert.Contains("'nowhere'", error.Message);
        Assert.Contains("Conv_0", error.Message);
    }

    [Fact]
    public void DamagedFile_GivesAClearError()
    {
        var (graph, output) = Conv(pads: [1, 1, 1, 1]);
        var path = Path.GetTempFileName();
        try
        {
            var bytes = graph.Build(output).ToByteArray();
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

            var error = Assert.Throws<OnnxImportException>(() => OnnxFile.Load(path));

            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (OnnxGraph, string) Conv(long[] pads, long[]? strides = null)
    {
        var g = new OnnxGraph([1, 3, 11, 11]);
        return (g, g.Node("Conv", ["x", g.Initializer("w", [4, 3, 3, 3])], "y", ("pads", pads), ("strides", strides ?? [1, 1])));
    }

    private static (OnnxGraph, string) Unary(string op, (string, object)? attribute = null, long opset = 13, (string, object)[]? attributes = null)
    {
        var g = new OnnxGraph([2, 3, 5, 5], opset);
        return (g, g.Node(op, ["x"], "y", attribute is { } a ? [a] : attributes ?? []));
    }

    private static (OnnxGraph, string) Pool(string op, long[] kernel, long[] strides, long[] pads, (string, object)? extra = null)
    {
        var g = new OnnxGraph([1, 2, 9, 9]);
        var attributes = new List<(string, object)> { ("kernel_shape", kernel), ("strides", strides), ("pads", pads) };
        if (extra is { } e)
        {
            attributes.Add(e);
        }

        return (g, g.Node(op, ["x"], "y", attributes.ToArray()));
    }

    private static (OnnxGraph, string) PadCase(string mode)
    {
        var g = new OnnxGraph([1, 2, 4, 5]);
        return (g, g.Node("Pad", ["x", g.Longs("pads", 0, 0, 1, 2, 0, 0, 2, 1)], "y", ("mode", mode)));
    }

    private static (OnnxGraph, string) FanOut()
    {
        var g = new OnnxGraph([1, 3, 6, 6]);
        var a = g.Node("Relu", ["x"], "a");
        var b = g.Node("Conv", [a, g.Initializer("w", [3, 3, 3, 3])], "b", ("pads", new long[] { 1, 1, 1, 1 }));
        var c = g.Node("Add", [a, b], "c");
        return (g, g.Node("Mul", [c, a], "y"));
    }
}
