using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
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
    /// Checks the generated code of a spec against <c>&lt;spec file name&gt;.verified.cs</c> beside the calling
    /// test's source file (or <paramref name="snapshotPath"/>): a change fails with a readable diff. The
    /// snapshots live in the test project, whose ModelGen.Testing build logic keeps them out of its compilation,
    /// never beside the spec in the app, which would compile them as a second copy of the model.
    /// </summary>
    /// <param name="specPath">The spec, e.g. <c>../../../../App/cats.model.yaml</c> from the test's working folder.</param>
    /// <param name="rootNamespace">The root namespace of the spec's project.</param>
    /// <param name="snapshotPath">Where the verified snapshot is; by default beside the calling source file.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling test's source file.</param>
    /// <exception cref="SnapshotMismatchException">The generated code differs from the verified snapshot.</exception>
    /// <exception cref="SpecErrorsException">The spec has errors.</exception>
    public static void MatchesSnapshot(string specPath, string rootNamespace = "Models", string? snapshotPath = null, [CallerFilePath] string callerFilePath = "") =>
        SnapshotFile.Verify(For(specPath, rootNamespace), snapshotPath ?? DefaultSnapshotPath(specPath, callerFilePath));

    /// <summary>The snapshot of <paramref name="specPath"/> for a test in <paramref name="callerFilePath"/>: beside the test.</summary>
    /// <exception cref="ArgumentException">The caller's file is unknown (a compiler without caller information) and no snapshot path is given.</exception>
    internal static string DefaultSnapshotPath(string specPath, string callerFilePath)
    {
        if (string.IsNullOrEmpty(callerFilePath) || Path.GetDirectoryName(callerFilePath) is not { Length: > 0 } folder)
        {
            throw new ArgumentException(
                $"The calling test's source file is unknown, so there is no default place for the snapshot of {specPath}: pass snapshotPath, a file in the test project.",
                nameof(callerFilePath));
        }

        return Path.Combine(folder, Path.GetFileName(specPath) + ".verified.cs");
    }

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
