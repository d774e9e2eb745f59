using Google.Protobuf;
using ModelGen.Tests.Infrastructure;
using Onnx;

namespace ModelGen.Tests.Onnx;

/// <summary>
/// Tiny ONNX graphs whose attributes or constant inputs ask for far more memory than their file and input
/// justify, each with the words the refusal must contain (the node, the attribute or value, what is valid).
/// </summary>
internal static class HostileOnnxGraphs
{
    /// <summary>Graphs whose unchecked import asks for terabytes (torch fails at once) or breaks an index.</summary>
    public static readonly Dictionary<string, Func<(ModelProto Model, string[] Expected)>> Refused = new()
    {
        ["Conv kernel_shape larger than its weights"] = () => Conv([("kernel_shape", new long[] { 1 << 20, 1 << 20 })], ["Conv_0", "kernel_shape = [1048576, 1048576]", "[3, 3]"]),
        ["Conv kernel_shape beyond any extent"] = () => Conv([("kernel_shape", new long[] { 1L << 40, 3 })], ["Conv_0", "kernel_shape", "1099511627776", "from 1 to 1,048,576"]),
        ["Conv zero strides"] = () => Conv([("strides", new long[] { 0, 0 })], ["Conv_0", "strides = [0, 0]", "from 1"]),
        ["Conv negative pads"] = () => Conv([("pads", new long[] { -5, 0, 0, 0 })], ["Conv_0", "pads = [-5, 0, 0, 0]", "4 values"]),
        ["Conv two pads"] = () => Conv([("pads", new long[] { 1, 1 })], ["Conv_0", "pads = [1, 1]", "4 values"]),
        ["Conv group 0"] = () => Conv([("group", 0L)], ["Conv_0", "group = 0", "from 1"]),
        ["Conv group not dividing the channels"] = () =>
        {
            var g = new OnnxGraph([1, 3, 4, 4]);
            return (g.Build(g.Node("Conv", ["x", g.Initializer("w", [4, 1, 3, 3])], "y", ("group", 3L))), ["Conv_0", "group = 3", "divide its 4 output channels"]);
        },
        ["Conv huge asymmetric pads"] = () => Conv([("pads", new long[] { 1 << 20, 1 << 20, 0, 0 })], ["Conv_0", "1x1x1048580x1048580", "at most"]),
        ["Conv bias of another size"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            return (g.Build(g.Node("Conv", ["x", g.Initializer("w", [1, 1, 3, 3]), g.Initializer("b", [7])], "y")), ["Conv_0", "bias", "1 values"]);
        },
        ["MaxPool zero strides"] = () => Pool([("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 0, 1 })], ["MaxPool_0", "strides = [0, 1]", "from 1"]),
        ["MaxPool zero kernel"] = () => Pool([("kernel_shape", new long[] { 0, 2 })], ["MaxPool_0", "kernel_shape = [0, 2]"]),
        ["MaxPool huge pads"] = () => Pool([("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 1 << 20, 1 << 20, 0, 0 })], ["MaxPool_0", "1x1x1048580x1048580", "at most"]),
        ["Pad asking for terabytes"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            return (g.Build(g.Node("Pad", ["x", g.Longs("pads", 0, 0, 1 << 20, 1 << 20, 0, 0, 1 << 20, 1 << 20)], "y")), ["Pad_0", "1x1x2097156x2097156", "at most"]);
        },
        ["Pad beyond any extent"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            return (g.Build(g.Node("Pad", ["x", g.Longs("pads", 0, 0, 1L << 40, 0, 0, 0, 0, 0)], "y")), ["Pad_0", "pads = [0, 0, 1099511627776", "from -1,048,576 to 1,048,576"]);
        },
        ["Pad with pads for another rank"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            return (g.Build(g.Node("Pad", ["x", g.Longs("pads", 1, 1)], "y")), ["Pad_0", "2 pads", "needs 8"]);
        },
        ["Add broadcasting a row against a column"] = () =>
        {
            var g = new OnnxGraph([1, 1, 1, 1 << 20]);
            var column = g.Node("Transpose", ["x"], "column", ("perm", new long[] { 0, 1, 3, 2 }));
            return (g.Build(g.Node("Add", ["x", column], "y")), ["Add_1", "1x1x1048576x1048576", "at most"]);
        },
        ["MatMul of a column by a row"] = () =>
        {
            var g = new OnnxGraph([1, 1, 1, 1 << 20]);
            var column = g.Node("Transpose", ["x"], "column", ("perm", new long[] { 0, 1, 3, 2 }));
            return (g.Build(g.Node("MatMul", [column, "x"], "y")), ["MatMul_1", "1x1x1048576x1048576", "at most"]);
        },
        ["Gather repeating an index"] = () =>
        {
            var g = new OnnxGraph([1, 1, 64, 64]);
            return (g.Build(g.Node("Gather", ["x", g.Longs("many", new long[300_000])], "y", ("axis", 2L))), ["Gather_0", "1x1x300000x64", "at most"]);
        },
        ["Gather index out of range"] = () =>
        {
            var g = new OnnxGraph([1, 3, 4, 4]);
            return (g.Build(g.Node("Gather", ["x", g.Longs("i", 0, 7)], "y", ("axis", 1L))), ["Gather_0", "index 7", "from -3 to 2"]);
        },
        ["Gather axis out of range"] = () =>
        {
            var g = new OnnxGraph([1, 3, 4, 4]);
            return (g.Build(g.Node("Gather", ["x", g.Longs("i", 0)], "y", ("axis", 9L))), ["Gather_0", "axis = 9", "from -4 to 3"]);
        },
        ["Reshape copying a dimension the input lacks"] = () =>
        {
            var g = new OnnxGraph([1, 16]);
            return (g.Build(g.Node("Reshape", ["x", g.Longs("shape", 1, 16, 0)], "y")), ["Reshape_0", "[1, 16, 0]", "within its rank"]);
        },
        ["Concat along an axis the input lacks"] = () =>
        {
            var g = new OnnxGraph([1, 2, 3, 3]);
            return (g.Build(g.Node("Concat", ["x", "x"], "y", ("axis", 6L))), ["Concat_0", "axis = 6", "from -4 to 3"]);
        },
        ["Attribute given twice"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            return (g.Build(g.Node("MaxPool", ["x"], "y", ("kernel_shape", new long[] { 2, 2 }), ("kernel_shape", new long[] { 3, 3 }))), ["MaxPool_0", "'kernel_shape' twice"]);
        },
        ["Initializer whose dims overflow"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            var model = g.Build(g.Node("Conv", ["x", g.Initializer("w", [1, 1, 3, 3])], "y"));
            var weight = model.Graph.Initializer.Single();
            weight.Dims.Clear();
            weight.Dims.AddRange([1L << 40, 1L << 40, 3, 3]);
            return (model, ["'w'", "holds 9 values", "the file is damaged"]);
        },
        ["Node without an output"] = () =>
        {
            var g = new OnnxGraph([1, 1, 4, 4]);
            var model = g.Build(g.Node("Relu", ["x"], "y"));
            model.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "silent", Input = { "y" } });
            return (model, ["'silent'", "no output"]);
        },
        ["BatchNormalization statistics of another size"] = () =>
        {
            var g = new OnnxGraph([1, 3, 4, 4]);
            var inputs = new[] { "x", g.Initializer("s", [3]), g.Initializer("b", [3]), g.Initializer("m", [5]), g.Initializer("v", [3], [1f, 1f, 1f]) };
            return (g.Build(g.Node("BatchNormalization", inputs, "y")), ["BatchNormalization_0", "mean of shape 5", "one value per channel (3)"]);
        },
    };

    /// <summary>
    /// Graphs of about 150 bytes that an unchecked import would run, each allocating a gigabyte or more
    /// (run only in a child process): the refusal must come before the allocation.
    /// </summary>
    public static IEnumerable<(string File, ModelProto Model, string Expected)> Gigabytes()
    {
        // Conv: 20000x20000 kernel from a 3x3 weight, 1.6 GB of parameters.
        yield return ("conv-kernel.onnx", Conv([("kernel_shape", new long[] { 20_000, 20_000 })], []).Model, "kernel_shape = [20000, 20000]");

        // Pad: a 4x4 image padded to 20004x20004, 1.6 GB.
        var pad = new OnnxGraph([1, 1, 4, 4]);
        yield return ("pad.onnx", pad.Build(pad.Node("Pad", ["x", pad.Longs("pads", 0, 0, 10_000, 10_000, 0, 0, 10_000, 10_000)], "y")), "1x1x20004x20004");

        // A row plus a column: 20000x20000, 1.6 GB.
        var add = new OnnxGraph([1, 1, 1, 20_000]);
        var column = add.Node("Transpose", ["x"], "column", ("perm", new long[] { 0, 1, 3, 2 }));
        yield return ("broadcast.onnx", add.Build(add.Node("Add", ["x", column], "y")), "1x1x20000x20000");

        // Each Concat doubles its input: 22 of them make 64 values into a gigabyte.
        var concat = new OnnxGraph([1, 1, 8, 8]);
        var value = "x";
        for (var i = 0; i < 22; i++)
        {
            value = concat.Node("Concat", [value, value], "c" + i, ("axis", 0L));
        }

        yield return ("concat.onnx", concat.Build(value), "Concat_18");
    }

    /// <summary>A small graph that imports and runs: the baseline for peak memory.</summary>
    public static ModelProto Benign() => Conv([], []).Model;

    private static (ModelProto Model, string[] Expected) Conv((string, object)[] attributes, string[] expected)
    {
        var g = new OnnxGraph([1, 1, 4, 4]);
        return (g.Build(g.Node("Conv", ["x", g.Initializer("w", [1, 1, 3, 3])], "y", attributes)), expected);
    }

    private static (ModelProto Model, string[] Expected) Pool((string, object)[] attributes, string[] expected)
    {
        var g = new OnnxGraph([1, 1, 4, 4]);
        return (g.Build(g.Node("MaxPool", ["x"], "y", attributes)), expected);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>.</summary>
    public static void Write(ModelProto model, string path) => File.WriteAllBytes(path, model.ToByteArray());
}
