using System.Text;

namespace ModelGen.Tests.Layering;

/// <summary>
/// The runtime's namespaces point one way. <see cref="MayUse"/> is the declared layering, as data: each
/// namespace with the namespaces its code may use directly. The tests walk the runtime's source (see
/// <see cref="NamespaceGraph"/>) and fail on a use the layering does not declare, on any cycle, and on a
/// layering that is not one-way or names namespaces that no longer exist.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "ModelGen";
    private const string Vocabulary = NamespaceGraph.Vocabulary;
    private const string Progress = "ModelGen.Progress";
    private const string Weights = "ModelGen.Weights";
    private const string Onnx = "ModelGen.Onnx";
    private const string Data = "ModelGen.Data";
    private const string Heads = "ModelGen.Heads";
    private const string Backbones = "ModelGen.Backbones";
    private const string Architectures = "ModelGen.Backbones.Architectures";
    private const string Export = "ModelGen.Export";
    private const string Training = "ModelGen.Training";
    private const string Storage = "ModelGen.Storage";
    private const string Reports = "ModelGen.Reports";
    private const string Explain = "ModelGen.Explain";
    private const string Entry = "ModelGen.Runtime";
    private const string Inference = "ModelGen.Inference";

    /// <summary>
    /// The layering, bottom up. A namespace not listed here fails the test: add it with what it may use
    /// (and nothing that uses it, directly or not).
    /// </summary>
    private static readonly Dictionary<string, string[]> MayUse = new(StringComparer.Ordinal)
    {
        // Spec words, enums and settings records shared with the generator (src/Shared).
        [Vocabulary] = [],

        // ModelGen's own files: one checksummed container, written atomically.
        [Storage] = [],

        // What users and every layer share: options, results, log events, model files, pixel normalisation.
        [Root] = [Storage],

        // Weight files: found from plain values (a spec's file where the build copies it: the vocabulary's file
        // layout; the official ones downloaded, with progress), loaded into any module by tensor name (log
        // events from the root).
        [Weights] = [Root, Vocabulary, Progress],

        // ONNX graphs imported as TorchSharp modules; knows nothing of the exporter.
        [Onnx] = [Vocabulary],

        // How long work shows its progress.
        [Progress] = [Root],

        // Images, their contract with the network (ImageInput), batches, features and their cache.
        [Data] = [Root, Vocabulary, Progress, Storage],

        // The classification head.
        [Heads] = [Root, Vocabulary],

        // Networks torchvision has and TorchVision (the TorchSharp package) lacks, written with torchvision's names.
        [Architectures] = [Vocabulary, Weights],

        // Pretrained networks: built, cut, loaded with weights, fed with the data's images.
        [Backbones] = [Root, Vocabulary, Weights, Onnx, Data, Architectures],

        // ONNX export: visits the imported graph's ops, writes backbones and heads.
        [Export] = [Root, Vocabulary, Onnx, Data, Heads, Backbones, Architectures, Storage],

        // Inference engines other than LibTorch (ONNX Runtime): run a backbone's exported form.
        [Inference] = [Root, Backbones, Export],

        // Grad-CAM: where a model looks, at the backbone's output (its head, backbone and image input).
        [Explain] = [Root, Data, Heads, Backbones, Storage],

        // The run report (report.html): scores data and explains images with the model it is given, draws the page.
        [Reports] = [Root, Data, Storage, Explain],

        // The training engine generated models run.
        [Training] = [Root, Vocabulary, Progress, Data, Heads, Backbones, Storage, Reports],

        // The entry points generated classes call: on top of everything, used by nothing.
        [Entry] = [Root, Vocabulary, Data, Heads, Backbones, Export, Inference, Training, Explain, Reports],
    };

    private static readonly Lazy<NamespaceGraph> Runtime = new(() => NamespaceGraph.Of(RuntimeSource.Compilation, RuntimeSource.IsVocabulary));

    [Fact]
    public void EveryNamespace_UsesOnlyWhatTheLayeringAllows()
    {
        var graph = Runtime.Value;
        var problems = new StringBuilder();
        foreach (var unit in graph.Units.Where(u => !MayUse.ContainsKey(u)).Order(StringComparer.Ordinal))
        {
            problems.AppendLine($"{unit} is not in the layering; add it to {nameof(MayUse)} with the namespaces it may use.");
        }

        foreach (var (from, to) in graph.Edges.Where(e => MayUse.TryGetValue(e.From, out var allowed) && !allowed.Contains(e.To)).Order())
        {
            problems.AppendLine($"{from} uses {to}, which the layering does not allow ({from} may use: {Describe(MayUse[from])}):");
            foreach (var example in graph.Examples(from, to))
            {
                problems.AppendLine("    " + example);
            }
        }

        Assert.True(problems.Length == 0, "The runtime's namespaces do not follow the layering:\n" + problems);
    }

    [Fact]
    public void NoNamespaces_UseEachOtherInACycle()
    {
        var graph = Runtime.Value;
        var problems = new StringBuilder();
        foreach (var cycle in NamespaceGraph.Cycles(graph.Edges))
        {
            problems.AppendLine($"{string.Join(", ", cycle)} use each other:");
            foreach (var (from, to) in graph.Edges.Where(e => cycle.Contains(e.From) && cycle.Contains(e.To)).Order())
            {
                problems.AppendLine($"  {from} -> {to}: {string.Join("; ", graph.Examples(from, to))}");
            }
        }

        Assert.True(problems.Length == 0, "Namespaces of the runtime depend on each other both ways:\n" + problems);
    }

    [Fact]
    public void Layering_IsOneWay_AndNamesOnlyNamespacesThatExist()
    {
        var declared = MayUse.SelectMany(entry => entry.Value.Select(to => (From: entry.Key, To: to))).ToList();
        Assert.Empty(NamespaceGraph.Cycles(declared));
        Assert.All(declared, edge => Assert.True(MayUse.ContainsKey(edge.To), $"{edge.From} may use {edge.To}, which is not in the layering."));

        var units = Runtime.Value.Units;
        Assert.All(MayUse.Keys, unit => Assert.True(units.Contains(unit), $"The layering names {unit}, but the runtime declares no type there any more; remove it."));
    }

    private static string Describe(string[] units) => units.Length == 0 ? "nothing else" : string.Join(", ", units);
}
