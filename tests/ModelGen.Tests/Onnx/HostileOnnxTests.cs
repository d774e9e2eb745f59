using System.Globalization;
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

    private static long PeakKilobytes(string output)
    {
        var line = output.Split('\n').Single(l => l.StartsWith("peak-rss-kb", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
}
