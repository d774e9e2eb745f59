using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones.Parity;

/// <summary>
/// Every catalog architecture against torchvision 0.14 itself: the reference tensors in References/ were written
/// by make_parity.py with Debian's python3-torchvision from the same deterministic weights
/// (<see cref="ParityWeights"/>). Checked: the whole network's state_dict names, the backbone's tensor shapes, the
/// convolutional base's output at two input sizes, and the features at each named cut, all within
/// 1e-4 of the reference's largest magnitude (float32 kernels differ between LibTorch builds in the last bits).
/// </summary>
public sealed class TorchVisionParityTests
{
    private const double Tolerance = 1e-4;

    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "ModelGen.Tests", "Backbones", "Parity", "References");

    public static TheoryData<string> Architectures => new(TorchVisionCatalog.Architectures.Order(StringComparer.Ordinal));

    [Fact]
    public void EveryReference_IsACatalogArchitecture()
    {
        var references = Directory.GetFiles(Folder, "*.safetensors").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(TorchVisionCatalog.Architectures.Concat(TransformerParityTests.Names).Order(StringComparer.Ordinal), references);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void StateDict_HasTorchvisionsNamesAndShapes(string architecture)
    {
        var expected = File.ReadAllLines(Path.Combine(Folder, architecture + ".keys.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "", StringComparer.Ordinal);
        var discarded = new List<nn.Module>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var stages = TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded, names);
        try
        {
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
            foreach (var (stage, module) in stages)
            {
                foreach (var (name, tensor) in module.state_dict())
                {
                    Assert.Equal((stage + "." + name, expected[stage + "." + name]), (stage + "." + name, string.Join("x", tensor.shape)));
                }
            }
        }
        finally
        {
            Dispose(stages, discarded);
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OutputsAndCuts_MatchTorchvision(string architecture)
    {
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        var discarded = new List<nn.Module>();
        var stages = TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded);
        try
        {
            ParityWeights.Fill(stages.Select(s => (s.Name, (nn.Module)s.Module)));

            // A float64 reference (make_parity.py's double=True) is compared with the network in float64.
            var dtype = references.First(r => r.Key.StartsWith("input.", StringComparison.Ordinal)).Value.dtype;
            foreach (var (_, module) in stages)
            {
                module.to(dtype);
                module.eval();
            }

            var outputs = references.Keys.Where(k => k.StartsWith("output.", StringComparison.Ordinal)).ToList();
            var cuts = references.Keys.Where(k => k.StartsWith("cut.", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, outputs.Count);
            Assert.NotEmpty(cuts);

            // Every output and cut is compared before the test fails, so a failure shows where the networks part.
            var failures = new List<string>();
            void Check(Tensor expected, Tensor actual, string what)
            {
                try
                {
                    AssertClose(expected, actual, what);
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    failures.Add(e.Message);
                }
            }

            foreach (var key in outputs)
            {
                var size = key["output.".Length..];
                Check(references[key], Run(stages, references["input." + size]), $"{architecture} at {size}x{size}");
            }

            foreach (var key in cuts)
            {
                var size = key[(key.LastIndexOf('.') + 1)..];
                var path = key["cut.".Length..key.LastIndexOf('.')];
                var cut = ModuleCutter.Cut(stages, path, []);
                Check(references[key], Run(cut, references["input." + size]), $"{architecture} cut at {path}, {size}x{size}");
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            Dispose(stages, discarded);
            foreach (var tensor in references.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static Tensor Run(IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> stages, Tensor input)
    {
        using var inference = inference_mode();
        var x = input.alias();
        foreach (var (_, stage) in stages)
        {
            var next = stage.forward(x);
            x.Dispose();
            x = next;
        }

        return x;
    }

    /// <summary>Within <see cref="Tolerance"/> of the reference's largest magnitude (at least 1); disposes <paramref name="actual"/>.</summary>
    internal static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        using (actual)
        {
            Assert.Equal(expected.shape, actual.shape);
            var largest = expected.abs().max().to_type(ScalarType.Float64).item<double>();
            Assert.True(largest > 1e-2, $"{what}: the reference is all but zero (max {largest:G4}); the comparison would prove nothing.");
            var scale = Math.Max(1.0, largest);
            var difference = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
            Assert.True(difference <= Tolerance * scale, $"{what}: max |difference| {difference:G4} > {Tolerance * scale:G4} (reference max |value| {largest:G4}).");
        }
    }

    private static void Dispose(IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> stages, List<nn.Module> discarded)
    {
        foreach (var (_, module) in stages)
        {
            module.Dispose();
        }

        foreach (var module in discarded)
        {
            module.Dispose();
        }
    }
}
