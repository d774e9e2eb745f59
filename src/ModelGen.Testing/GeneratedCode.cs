using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators;

namespace ModelGen.Testing;

/// <summary>The code ModelGen generates for a spec, and one-line snapshot tests of it.</summary>
public static class GeneratedCode
{
    /// <summary>
    /// Generates the code of one spec as the build would, every generated file in one text, each after a
    /// line <c>// ---- HintName ----</c> (in a project whose root namespace is
    /// <paramref name="rootNamespace"/>). The spec is placed in a neutral folder, so the text is the same on
    /// every machine.
    /// </summary>
    /// <exception cref="SpecErrorsException">The spec has errors; the message lists them with their positions.</exception>
    public static string For(string specPath, string rootNamespace = "Models")
    {
        var text = File.ReadAllText(specPath);
        var file = new SpecText("/spec/" + Path.GetFileName(specPath), text);
        var driver = CSharpGeneratorDriver.Create(
            [new ModelSpecGenerator().AsSourceGenerator()],
            [file],
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            new Options(rootNamespace));
        var result = driver.RunGenerators(CSharpCompilation.Create("Snapshot")).GetRunResult();
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new SpecErrorsException(string.Join(Environment.NewLine, errors.Select(d =>
            {
                var span = d.Location.GetLineSpan();
                return $"{specPath}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })));
        }

        // One model class is a few partial files (network, training, metadata): one text, each file under its name.
        return string.Join("\n", result.Results.SelectMany(r => r.GeneratedSources).Select(s => $"// ---- {s.HintName} ----\n{s.SourceText}"));
    }

    /// <summary>
    /// Checks the generated code of a spec against <c>&lt;spec&gt;.verified.cs</c> next to it (or
    /// <paramref name="snapshotPath"/>): a change fails with a readable diff.
    /// </summary>
    /// <exception cref="SnapshotMismatchException">The generated code differs from the verified snapshot.</exception>
    /// <exception cref="SpecErrorsException">The spec has errors.</exception>
    public static void MatchesSnapshot(string specPath, string rootNamespace = "Models", string? snapshotPath = null) =>
        SnapshotFile.Verify(For(specPath, rootNamespace), snapshotPath ?? specPath + ".verified.cs");

    private sealed class SpecText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class Options(string rootNamespace) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(rootNamespace);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class Values(string rootNamespace) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
            {
                value = key switch
                {
                    "build_property.RootNamespace" => rootNamespace,
                    "build_property.MSBuildProjectDirectory" => "/spec",
                    _ => null,
                };
                return value is not null;
            }
        }
    }
}

/// <summary>A spec has errors; the message lists each MG diagnostic with its line and column.</summary>
public sealed class SpecErrorsException(string message) : Exception(message);
