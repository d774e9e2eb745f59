using System.Globalization;
using Google.Protobuf;
using ModelGen.Onnx;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Onnx;

/// <summary>
/// ONNX graphs whose attributes or constant inputs are forged: each is refused with an
/// <see cref="OnnxImportException"/> that names the node, the attribute or value, and what would be valid,
/// before anything large is allocated.
/// </summary>
public sealed class HostileOnnxTests
{
    public static TheoryData<string> Refused => new(HostileOnnxGraphs.Refused.Keys);

    [Theory]
    [MemberData(nameof(Refused))]
    public void HostileGraph_IsRefusedByNodeAndAttribute(string name)
    {
        var (model, expected) = HostileOnnxGraphs.Refused[name]();
        var shape = model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();

        var error = Assert.Throws<OnnxImportException>(() =>
        {
            using var module = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
            using var scope = NewDisposeScope();
            module.forward(zeros(shape));
        });

        Assert.All(expected, part => Assert.Contains(part, error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void GraphsAskingForGigabytes_AreRefusedBeforeTheAllocation()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["benign"]);
        Directory.CreateDirectory(temp["hostile"]);
        HostileOnnxGraphs.Write(HostileOnnxGraphs.Benign(), temp["benign/benign.onnx"]);
        var cases = HostileOnnxGraphs.Gigabytes().ToList();
        foreach (var (file, model, _) in cases)
        {
            HostileOnnxGraphs.Write(model, Path.Combine(temp["hostile"], file));
            Assert.True(new FileInfo(Path.Combine(temp["hostile"], file)).Length < 2048, $"{file} should be a tiny file");
        }

        var baseline = TestHostProcess.Run("import-onnx", temp["benign"]);
        var output = TestHostProcess.Run("import-onnx", temp["hostile"]);

        Assert.Contains("benign.onnx ran", baseline);
        foreach (var (file, _, expected) in cases)
        {
            var line = output.Split('\n').Single(l => l.StartsWith(file + " ", StringComparison.Ordinal));
            Assert.StartsWith(file + " refused ", line);
            Assert.Contains(expected, line);
        }

        var growth = PeakKilobytes(output) - PeakKilobytes(baseline);
        Assert.True(growth < 200 * 1024, $"importing the hostile graphs raised peak memory by {growth / 1024} MB (each asks for 1.6 GB or more)");
    }

    /// <summary>
    /// A deterministic corpus of damaged graphs: truncations and byte corruptions of a small network (Conv,
    /// BatchNormalization, Relu, MaxPool, Flatten, Gemm). Each either imports and runs or gives an
    /// <see cref="OnnxImportException"/>.
    /// </summary>
    [Fact]
    public void FuzzedGraphs_RunOrGiveAnOnnxImportException()
    {
        var g = new OnnxGraph([1, 2, 8, 8]);
        var conv = g.Node("Conv", ["x", g.Initializer("w", [4, 2, 3, 3]), g.Initializer("b", [4])], "c", ("pads", new long[] { 1, 1, 1, 1 }));
        var norm = g.Node("BatchNormalization", [conv, g.Initializer("s", [4]), g.Initializer("nb", [4]), g.Initializer("m", [4]), g.Initializer("v", [4], [1f, 1f, 1f, 1f])], "n");
        var pool = g.Node("MaxPool", [g.Node("Relu", [norm], "r")], "p", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var flat = g.Node("Flatten", [pool], "f", ("axis", 1L));
        var bytes = g.Build(g.Node("Gemm", [flat, g.Initializer("fc", [3, 64]), g.Initializer("fcb", [3])], "y", ("transB", 1L))).ToByteArray();
        using var temp = new TempFolder();
        var path = temp["fuzzed.onnx"];
        var random = new Random(4);
        var variants = Enumerable.Range(1, 59).Select(i => ($"truncated to {bytes.Length * i / 60}", bytes[..(bytes.Length * i / 60)])).ToList();
        for (var i = 0; i < 400; i++)
        {
            var copy = bytes.ToArray();
            var at = random.Next(copy.Length);
            copy[at] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)(copy[at] ^ (1 << random.Next(8)));
            variants.Add(($"byte {at} corrupted", copy));
        }

        var escaped = new List<string>();
        foreach (var (what, variant) in variants)
        {
            File.WriteAllBytes(path, variant);
            try
            {
                var model = OnnxFile.Load(path);
                using var module = new OnnxGraphModule(model, cutAt: null, OnnxNaming.NodeNames);
                using var scope = NewDisposeScope();
                module.forward(zeros(1, 2, 8, 8));
            }
            catch (OnnxImportException)
            {
            }
            catch (Exception e)
            {
                escaped.Add($"{what}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(escaped.Count == 0, $"{escaped.Count} damaged graphs escaped OnnxImportException:\n{string.Join("\n", escaped.Take(20))}");
    }

    private static long PeakKilobytes(string output)
    {
        var line = output.Split('\n').Single(l => l.StartsWith("peak-rss-kb", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
}
