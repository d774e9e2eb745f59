using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Spec text can never become code (issue 18, item 1). Every string-valued key, and the spec's file name,
/// is fed the characters that end a line, a comment, a doc comment or a string in C#. Either the spec is
/// rejected with an MG error and nothing is generated, or the generated code compiles without a warning
/// and has exactly the tokens it has for a harmless value: hostile text only ever lands inside a string
/// literal, a comment or a doc comment, never in the code around them.
/// </summary>
public sealed class SpecTextEscapingTests
{
    /// <summary>The characters that end lines or comments in C#, one by one and together with code after them.</summary>
    public static TheoryData<string> Payloads => new()
    {
        "a\nb",
        "a\rb",
        "a\u2028b",
        "a\u2029b",
        "a\u0085b",
        "a*/b",
        "a</summary>b",
        "a\"b",
        "a\\b",
        "a{b}",
        "x\u2028[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Evil() { }\u2028//",
        "x\n} class Injected { static void M() { } } //\n",
        "x\"); System.Console.WriteLine(\"injected",
    };

    private const string Head = "head:\n  - global_avg_pool\n  - { dense: 2, activation: softmax }\n";
    private const string Resnet = "model: Model\ninput: { size: 64 }\nbackbone: { architecture: resnet18 }\n" + Head;
    private const string OnnxBackbone = "model: Model\ninput: { size: 64 }\nbackbone:\n  architecture: onnx\n  feature_shape: [8, 4, 4]\n";

    /// <summary>Where spec text goes: a spec with the hole <c>{0}</c> for a YAML double-quoted value, and what the value must end with.</summary>
    private static readonly (string Key, string Template, string Suffix)[] Places =
    [
        ("description", Resnet + "description: {0}\n", ""),
        ("labels", Resnet + "labels: [{0}, other]\n", ""),
        ("backbone.weights (a file)", "model: Model\ninput: { size: 64 }\nbackbone: { architecture: resnet18, weights: {0} }\n" + Head, ".pt"),
        ("phase name", Resnet + "training:\n  phases:\n    - { name: {0}, epochs: 1 }\n", ""),
        ("checkpoints.dir", Resnet + "training:\n  checkpoints: { dir: {0} }\n", ""),
        ("onnx backbone.path", OnnxBackbone + "  path: {0}\n" + Head, ".onnx"),
        ("onnx truncate_at", OnnxBackbone + "  path: models/net.onnx\n  truncate_at: {0}\n" + Head, ""),
        ("onnx trainable_from", OnnxBackbone + "  path: models/net.onnx\nfreeze: { trainable_from: {0} }\n" + Head, ""),
        ("onnx frozen_through", OnnxBackbone + "  path: models/net.onnx\nfreeze: { frozen_through: {0} }\n" + Head, ""),
    ];

    /// <summary>The stand-in of a spec that declares only <c>model: Model</c>.</summary>
    private static readonly Lazy<string> ReferenceStandIn = new(() => Assert.Single(GeneratorHarness.Run(("model.model.yaml", "model: Model\n")).StandIns));

    [Theory]
    [MemberData(nameof(KeyPayloadPairs))]
    public void HostileText_InAnyStringKey_IsRejectedOrStaysInsideLiteralsAndComments(string key, string payload)
    {
        var (_, template, suffix) = Places.Single(p => p.Key == key);
        var harmless = Generate("model.model.yaml", Fill(template, "x" + suffix));
        Assert.True(harmless.Errors.Count == 0, $"{key}: the harmless spec has errors: {string.Join("; ", harmless.Errors)}");

        var hostile = Generate("model.model.yaml", Fill(template, payload + suffix));

        AssertSafe(key, payload, harmless, hostile);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void HostileText_InTheSpecFileName_StaysInsideLiteralsAndComments(string payload)
    {
        var spec = Resnet;
        var harmless = Generate("model.model.yaml", spec);
        var name = new string(payload.Where(c => c is not ('/' or '\\')).ToArray()) + ".model.yaml";

        var hostile = Generate(name, spec);

        AssertSafe("file name", payload, harmless, hostile);
    }

    public static TheoryData<string, string> KeyPayloadPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (key, _, _) in Places)
        {
            foreach (var payload in Payloads)
            {
                data.Add(key, payload);
            }
        }

        return data;
    }

    private static void AssertSafe(string key, string payload, Generated harmless, Generated hostile)
    {
        var shown = payload.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\u2028", "\\u2028").Replace("\u2029", "\\u2029").Replace("\u0085", "\\u0085");
        if (hostile.Errors.Count > 0)
        {
            // Rejected: at most a stand-in, which compiles and has exactly the tokens of any stand-in of "Model".
            Assert.All(hostile.Errors, e => Assert.StartsWith("MG", e, StringComparison.Ordinal));
            Assert.True(hostile.CompileProblems.Count == 0, $"{key} = \"{shown}\": the stand-in does not compile cleanly: {string.Join("; ", hostile.CompileProblems)}");
            Assert.All(hostile.Sources, source =>
            {
                Assert.True(GeneratorRun.IsStandIn(source), $"{key} = \"{shown}\": a spec with errors generated a model");
                Assert.True(Tokens(source).SequenceEqual(Tokens(ReferenceStandIn.Value)), $"{key} = \"{shown}\": the stand-in has other tokens than a plain one");
            });
            return;
        }

        Assert.True(hostile.CompileProblems.Count == 0, $"{key} = \"{shown}\": the generated code does not compile cleanly: {string.Join("; ", hostile.CompileProblems)}");
        Assert.Equal(harmless.Sources.Count, hostile.Sources.Count);
        for (var i = 0; i < harmless.Sources.Count; i++)
        {
            var expected = Tokens(harmless.Sources[i]);
            var actual = Tokens(hostile.Sources[i]);
            Assert.True(
                expected.SequenceEqual(actual),
                $"{key} = \"{shown}\": file {i} has other tokens than with a harmless value; first difference at token "
                + $"{expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count()}");
        }
    }

    // The kinds of the code's tokens: string literals, comments and doc comments count as one token (or as
    // trivia), whatever they hold, so any text that escaped them shows up as extra or other tokens.
    private static List<SyntaxKind> Tokens(string source) =>
        CSharpSyntaxTree.ParseText(source, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest))
            .GetRoot()
            .DescendantTokens(descendIntoTrivia: false)
            .Select(t => t.Kind())
            .ToList();

    private static Generated Generate(string fileName, string spec)
    {
        var run = GeneratorHarness.Run((fileName, spec));
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id}: {d.GetMessage()}").ToList();
        var problems = GeneratorHarness.CompileProblems(run.Output).Select(d => d.ToString()).ToList();
        return new Generated(errors, run.Sources, problems);
    }

    // The value as a YAML double-quoted scalar: every character that is not plain ASCII as an escape.
    private static string Fill(string template, string value)
    {
        var quoted = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < 0x20 || c > 0x7e => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return template.Replace("{0}", quoted.Append('"').ToString(), StringComparison.Ordinal);
    }

    private sealed record Generated(IReadOnlyList<string> Errors, IReadOnlyList<string> Sources, IReadOnlyList<string> CompileProblems);
}
