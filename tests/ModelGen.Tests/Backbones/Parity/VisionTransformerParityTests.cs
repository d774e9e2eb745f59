using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones.Parity;

/// <summary>
/// vit_b_16 and vit_b_32 against torchvision 0.14 (References/ by make_parity.py, the same deterministic weights as
/// <see cref="ParityWeights"/>). A ViT is built for its input size (the position embedding has one entry per
/// patch), so each size builds its own model, as the runtime does (<see cref="BackboneFactory"/>). Checked: the
/// whole network's state_dict names and shapes, the tokens after <c>encoder.ln</c> at two sizes, the tokens after
/// each encoder block (block1..block12) at the smaller one, and a 224x224 position embedding resized to other sizes
/// against torchvision's own <c>interpolate_embeddings</c>.
/// </summary>
public sealed class VisionTransformerParityTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "ModelGen.Tests", "Backbones", "Parity", "References");

    /// <summary>The architectures this class checks (and whose references TorchVisionParityTests leaves to it).</summary>
    public static IReadOnlyList<string> Names { get; } = ["vit_b_16", "vit_b_32"];

    public static TheoryData<string> Architectures => new(Names);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void StateDict_HasTorchvisionsNamesAndShapes(string architecture)
    {
        var expected = File.ReadAllLines(Path.Combine(Folder, architecture + ".keys.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        var size = Sizes(architecture).Min();
        using var backbone = Create(architecture, size, cut: null);

        Assert.Equal(expected.Keys, VisionTransformer.TensorNames(ArchitectureNames.Parse(architecture)));
        var actual = backbone.state_dict().Select(e => $"{e.Key} {string.Join("x", e.Value.shape)}");
        Assert.Equal(expected.Where(e => !e.Key.StartsWith("heads.", StringComparison.Ordinal)).Select(e => $"{e.Key} {e.Value}"), actual);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OutputsAndCuts_MatchTorchvision(string architecture)
    {
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        try
        {
            var sizes = Sizes(references);
            Assert.Equal(2, sizes.Count);
            foreach (var size in sizes)
            {
                using var full = Create(architecture, size, cut: null);
                Fill(full);
                AssertClose(references[$"output.{size}"], Run(full, references[$"input.{size}"]), $"{architecture} at {size}x{size}");
                if (size != sizes.Min())
                {
                    continue;
                }

                var cuts = references.Keys.Where(k => k.StartsWith("cut.", StringComparison.Ordinal)).ToList();
                Assert.Equal(12, cuts.Count);
                var weights = full.state_dict();
                foreach (var key in cuts)
                {
                    var path = key["cut.".Length..key.LastIndexOf('.')];
                    using var cut = Create(architecture, size, path);
                    WeightsLoader.Load(cut, weights, "the filled model");
                    AssertClose(references[key], Run(cut, references[$"input.{size}"]), $"{architecture} cut at {path}, {size}x{size}");
                }
            }
        }
        finally
        {
            foreach (var tensor in references.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void PositionEmbeddingOf224_IsResizedAsTorchvisionsInterpolateEmbeddings(string architecture)
    {
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        try
        {
            var patch = VisionTransformer.ConfigOf(ArchitectureNames.Parse(architecture)).PatchSize;
            var side = 224 / patch;
            long[] shape = [1, 1 + (side * side), 768];
            using var trained = tensor(ParityWeights.Values("encoder.pos_embedding", shape), shape);
            var keys = references.Keys.Where(k => k.StartsWith("pos_embedding.", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, keys.Count);
            foreach (var key in keys)
            {
                var grid = int.Parse(key["pos_embedding.".Length..], System.Globalization.CultureInfo.InvariantCulture) / patch;
                AssertClose(references[key], VisionTransformer.ResizePositionEmbedding(trained, grid, grid)!, $"{architecture}: 224's position embedding resized to {grid}x{grid} patches");
            }
        }
        finally
        {
            foreach (var tensor in references.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static List<int> Sizes(string architecture)
    {
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        foreach (var tensor in references.Values)
        {
            tensor.Dispose();
        }

        return Sizes(references);
    }

    private static List<int> Sizes(Dictionary<string, Tensor> references) =>
        references.Keys
            .Where(k => k.StartsWith("output.", StringComparison.Ordinal))
            .Select(k => int.Parse(k["output.".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();

    private static Backbone Create(string architecture, int size, string? cut)
    {
        var parsed = ArchitectureNames.Parse(architecture);
        var side = size / VisionTransformer.ConfigOf(parsed).PatchSize;
        var definition = new BackboneDefinition(parsed, WeightsKind.None, cut, [3, size, size], [1 + (side * side), 768], 3, BatchNormMode.Frozen, "");
        var backbone = BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);
        backbone.eval();
        return backbone;
    }

    // Every tensor by its full state_dict name (the class token is the backbone's own, not a stage's).
    private static void Fill(Backbone backbone)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in backbone.state_dict())
        {
            using var values = tensor(ParityWeights.Values(name, value.shape), value.shape);
            value.copy_(values);
        }
    }

    private static Tensor Run(Backbone backbone, Tensor input)
    {
        using var inference = inference_mode();
        return backbone.forward(input);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) => TorchVisionParityTests.AssertClose(expected, actual, what);
}
