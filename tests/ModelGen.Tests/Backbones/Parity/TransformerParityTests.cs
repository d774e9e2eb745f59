using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones.Parity;

/// <summary>
/// The transformers (vit_b_16, vit_b_32, swin_t) against torchvision 0.14 (References/ by make_parity.py, the same
/// deterministic weights as <see cref="ParityWeights"/>). They are built as the runtime builds them
/// (<see cref="BackboneFactory"/>: a ViT for its input size, its position embedding having one entry per patch; Swin
/// turned channels first), so each size and each cut builds its own model. Checked: the whole network's state_dict
/// names and shapes (buffers included), the default cut's output at two sizes (a ViT's tokens after
/// <c>encoder.ln</c>, Swin's map after <c>norm</c>), the features at each named cut at the smaller size (a ViT's
/// blocks, Swin's stages), and a ViT's 224x224 position embedding resized to other sizes against torchvision's own
/// <c>interpolate_embeddings</c>.
/// </summary>
public sealed class TransformerParityTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "ModelGen.Tests", "Backbones", "Parity", "References");

    /// <summary>The architectures this class checks (and whose references TorchVisionParityTests leaves to it).</summary>
    public static IReadOnlyList<string> Names { get; } = ["vit_b_16", "vit_b_32", "swin_t"];

    public static TheoryData<string> Architectures => new(Names);

    public static TheoryData<string> VisionTransformers => new(Names.Where(n => n.StartsWith("vit", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Architectures))]
    public void StateDict_HasTorchvisionsNamesAndShapes(string architecture)
    {
        var expected = File.ReadAllLines(Path.Combine(Folder, architecture + ".keys.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        try
        {
            var size = Sizes(references).Min();
            using var backbone = Create(architecture, size, cut: null, references[$"output.{size}"]);
            var parsed = ArchitectureNames.Parse(architecture);
            var classifier = parsed == Architecture.SwinT ? "head." : "heads.";

            Assert.Equal(expected.Keys, parsed == Architecture.SwinT ? SwinTransformer.TensorNames(parsed) : VisionTransformer.TensorNames(parsed));
            var actual = backbone.state_dict().Select(e => $"{e.Key} {string.Join("x", e.Value.shape)}").Order(StringComparer.Ordinal);
            Assert.Equal(expected.Where(e => !e.Key.StartsWith(classifier, StringComparison.Ordinal)).Select(e => $"{e.Key} {e.Value}").Order(StringComparer.Ordinal), actual);
            Assert.Equal(
                expected.Keys.Where(k => !k.StartsWith(classifier, StringComparison.Ordinal) && !k.EndsWith("relative_position_index", StringComparison.Ordinal)),
                backbone.named_parameters().Select(p => p.name));
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
    public void OutputsAndCuts_MatchTorchvision(string architecture)
    {
        var references = SafetensorsFile.Read(Path.Combine(Folder, architecture + ".safetensors"));
        try
        {
            var sizes = Sizes(references);
            Assert.Equal(2, sizes.Count);
            foreach (var size in sizes)
            {
                using var full = Create(architecture, size, cut: null, references[$"output.{size}"]);
                Fill(full);
                AssertClose(references[$"output.{size}"], Run(full, references[$"input.{size}"]), $"{architecture} at {size}x{size}");
                if (size != sizes.Min())
                {
                    continue;
                }

                var cuts = references.Keys.Where(k => k.StartsWith("cut.", StringComparison.Ordinal)).ToList();
                Assert.Equal(architecture == "swin_t" ? 4 : 12, cuts.Count);
                var weights = full.state_dict();
                foreach (var key in cuts)
                {
                    var path = key["cut.".Length..key.LastIndexOf('.')];
                    using var cut = Create(architecture, size, path, references[key]);
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
    [MemberData(nameof(VisionTransformers))]
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

    private static List<int> Sizes(Dictionary<string, Tensor> references) =>
        references.Keys
            .Where(k => k.StartsWith("output.", StringComparison.Ordinal))
            .Select(k => int.Parse(k["output.".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();

    // Built as a generated model builds it, whose shape check wants the reference's shape.
    private static Backbone Create(string architecture, int size, string? cut, Tensor reference)
    {
        var definition = new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, cut, [3, size, size], [.. reference.shape.Skip(1)], 3, BatchNormMode.Frozen, "");
        var backbone = BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);
        backbone.eval();
        return backbone;
    }

    // Every parameter by its full state_dict name (a ViT's class token is the backbone's own, not a stage's); buffers
    // (Swin's relative position index) keep the values they were built with, as in make_parity.py.
    private static void Fill(Backbone backbone)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in backbone.named_parameters())
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
