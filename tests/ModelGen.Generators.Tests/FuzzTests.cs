using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Emit;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Thousands of random mutations of valid specs: the compiler never throws (no internal-error
/// diagnostic either), and whatever it accepts generates code that compiles without warnings.
/// </summary>
public sealed class FuzzTests
{
    private const int Mutants = 3000;

    private static readonly string[] Vocabulary =
    [
        "0", "-1", "1", "2", "3", "1.5", "0.5", "1e309", "-1e309", "1e-400", ".nan", ".inf", "NaN", "99999999999999999999", "2147483648",
        "true", "false", "null", "~", "[]", "{}", "\"\"", "''", "[1, 2]", "[[1]]", "{ a: 1 }", "none", "all",
        "vgg16", "vgg16_bn", "resnet18", "resnet18_mlnet", "resnet152", "alexnet", "mobilenet_v2", "onnx", "VGG19",
        "block1_pool", "block5_conv3", "features.0", "features.30", "layer1", "layer2.0", "layer3.1.conv2", "layer4", "conv1", "maxpool", "Convolution249", "ReLU283",
        "relu", "softmax", "sigmoid", "gelu", "tanh", "flatten", "global_avg_pool", "global_max_pool", "dense", "dropout",
        "sgd", "adam", "adamw", "rmsprop", "cosine", "step", "plateau", "nearest", "wrap",
        "model", "input", "size", "labels", "backbone", "head", "training", "phases", "freeze", "trainable_from", "frozen_through",
        "class", "namespace", "My.Name", "1abc", "a-b", "Ünïcödé", "x y", "T-Shirt", "t_shirt",
    ];

    private static readonly string[] HostileLines =
    [
        "&anchor key: 1", "alias: *anchor", "tagged: !!binary aGVsbG8=", "---", "...", "{{{{{{{{", "]]]]", "? [complex]\n: key",
        "\0\u0001\u00ff", "\t\tindent: tabs", "key: \"unterminated", "key: 'x", "- - - -", "%YAML 1.2", "@reserved", "`backtick",
        "head: [" + string.Concat(Enumerable.Repeat("flatten, ", 200)) + "{ dense: 1 }]", "description: " + new string('x', 5000),
    ];

    [Fact]
    public void MutatedSpecs_NeverThrow_AndAcceptedOnesCompile()
    {
        var random = new Random(20261129);
        var seeds = Directory.GetFiles(Repository.SpecsFolder).Select(File.ReadAllText).ToArray();
        var options = new ProjectOptions("FuzzProject", GeneratorHarness.ProjectDirectory);
        var accepted = new Dictionary<string, string>();
        var rejected = 0;
        for (var i = 0; i < Mutants; i++)
        {
            var text = seeds[random.Next(seeds.Length)];
            var steps = random.Next(1, 4);
            for (var s = 0; s < steps; s++)
            {
                text = Mutate(text, random);
            }

            CompiledSpec compiled;
            try
            {
                compiled = SpecCompiler.Compile(GeneratorHarness.PathOf("fuzz.model.yaml"), text, options, CancellationToken.None);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i} threw {e}\n--- spec ---\n{text}");
                return;
            }

            Assert.DoesNotContain(compiled.Diagnostics, d => d.Id == "MG0025");
            Assert.All(compiled.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
            if (compiled.Plan is { } plan)
            {
                accepted.TryAdd(string.Join(FileSeparator, ModelEmitter.Emit(plan).Select(f => f.Text)), text);
            }
            else
            {
                Assert.NotEmpty(compiled.Diagnostics);
                rejected++;
            }
        }

        // Both kinds must be well represented, or the mutations are too weak or too strong to mean much.
        Assert.True(accepted.Count > 100, $"only {accepted.Count} distinct accepted mutants");
        Assert.True(rejected > 500, $"only {rejected} rejected mutants");
        CompileInBatches(accepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t\n")]
    [InlineData("---\n...\n")]
    [InlineData("[1, 2, 3]")]
    [InlineData("just a sentence")]
    [InlineData("model:")]
    [InlineData("{\"model\": ")]
    [InlineData("\uFEFFmodel: X")]
    public void Garbage_GivesDiagnostics_NotExceptions(string text) => AssertRejected(text);

    [Fact]
    public void BinaryJunk_GivesDiagnostics_NotExceptions()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);
            AssertRejected(Encoding.UTF8.GetString(bytes));
            AssertRejected(Encoding.Latin1.GetString(bytes));
        }
    }

    [Fact]
    public void HugeAndDeepInputs_GiveDiagnostics_NotExceptions()
    {
        AssertRejected(new string('[', 200_000));
        AssertRejected(string.Concat(Enumerable.Range(0, 5000).Select(i => new string(' ', i % 64) + "a:\n")));
        AssertRejected("model: " + new string('x', 2_000_000));
        AssertRejected(string.Concat(Enumerable.Repeat("- ", 10_000)) + "x");
    }

    private static void AssertRejected(string text)
    {
        var compiled = SpecCompiler.Compile(GeneratorHarness.PathOf("junk.model.yaml"), text, new ProjectOptions("P", GeneratorHarness.ProjectDirectory), CancellationToken.None);
        Assert.Null(compiled.Plan);
        Assert.NotEmpty(compiled.Diagnostics);
        Assert.DoesNotContain(compiled.Diagnostics, d => d.Id == "MG0025");
    }

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(9))
        {
            case 0 when lines.Count > 1:
                lines.RemoveAt(random.Next(lines.Count));
                break;
            case 1:
                var line = random.Next(lines.Count);
                lines.Insert(line, lines[line]);
                break;
            case 2 when lines.Count > 1:
                var (a, b) = (random.Next(lines.Count), random.Next(lines.Count));
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
            case 3:
                lines.Insert(random.Next(lines.Count + 1), HostileLines[random.Next(HostileLines.Length)]);
                break;
            case 4:
                return text[..random.Next(text.Length + 1)];
            case 5:
                var indent = random.Next(lines.Count);
                lines[indent] = new string(' ', random.Next(0, 5)) + lines[indent].TrimStart();
                break;
            case 6:
                var at = random.Next(text.Length + 1);
                return text[..at] + (char)random.Next(1, 128) + text[at..];
            default:
                return ReplaceToken(text, random);
        }

        return string.Join('\n', lines);
    }

    private static string ReplaceToken(string text, Random random)
    {
        var tokens = System.Text.RegularExpressions.Regex.Matches(text, @"[A-Za-z0-9_.\-]+");
        if (tokens.Count == 0)
        {
            return text;
        }

        var token = tokens[random.Next(tokens.Count)];
        return text[..token.Index] + Vocabulary[random.Next(Vocabulary.Length)] + text[(token.Index + token.Length)..];
    }

    // Joins the files generated for one mutant into one dictionary key.
    private const string FileSeparator = "\n//\u0001file\n";

    private static void CompileInBatches(Dictionary<string, string> accepted)
    {
        var batch = new List<(SyntaxTree Tree, string Spec)>();
        var number = 0;
        foreach (var (sources, spec) in accepted)
        {
            // Each mutant in its own namespace, so that many compile together; each of its files a tree.
            var file = 0;
            foreach (var source in sources.Split(FileSeparator))
            {
                var unique = source.Contains("\nnamespace ", StringComparison.Ordinal)
                    ? source.Replace("\nnamespace ", $"\nnamespace Fuzz{number}.", StringComparison.Ordinal)
                    : source.Replace("#nullable enable\n", $"#nullable enable\nnamespace Fuzz{number};\n", StringComparison.Ordinal);
                batch.Add((CSharpSyntaxTree.ParseText(unique, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest), path: $"mutant{number}.{file++}.g.cs"), spec));
            }

            number++;
            if (batch.Count >= 40)
            {
                CompileBatch(batch);
                batch.Clear();
            }
        }

        CompileBatch(batch);
    }

    private static void CompileBatch(List<(SyntaxTree Tree, string Spec)> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var compilation = GeneratorHarness.EmptyCompilation(batch.Select(b => b.Tree).ToArray());
        var problems = GeneratorHarness.CompileProblems(compilation);
        if (problems.Count > 0)
        {
            var first = problems[0];
            var spec = batch.First(b => b.Tree == first.Location.SourceTree).Spec;
            Assert.Fail($"generated code does not compile: {first}\n--- spec ---\n{spec}");
        }
    }
}
