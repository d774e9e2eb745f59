using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="ModelSpecGenerator"/> on in-memory specs the way the compiler does, and compiles what
/// it generates against the real ModelGen runtime and TorchSharp.
/// </summary>
internal static class GeneratorHarness
{
    public const string ProjectDirectory = "/project";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The spec path used for a file name in tests.</summary>
    public static string PathOf(string fileName) => ProjectDirectory + "/" + fileName;

    // Every warning wave: a user's project compiles at its target framework's level (10 for net10.0) or
    // higher, and treats warnings such as CS8981 as errors when it treats warnings as errors.
    public static CSharpCompilation EmptyCompilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    public static GeneratorDriver CreateDriver(IEnumerable<InMemoryAdditionalText> specs, string rootNamespace = "TestProject", bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            [new ModelSpecGenerator().AsSourceGenerator()],
            specs,
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            new TestOptionsProvider(new Dictionary<string, string>
            {
                ["build_property.RootNamespace"] = rootNamespace,
                ["build_property.MSBuildProjectDirectory"] = ProjectDirectory,
            }),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once on specs given as (file name, text).</summary>
    public static GeneratorRun Run(params (string FileName, string Text)[] specs) => RunInProject("TestProject", specs);

    /// <summary>Runs the generator once in a project whose root namespace MSBuild gives as <paramref name="rootNamespace"/>.</summary>
    public static GeneratorRun RunInProject(string rootNamespace, params (string FileName, string Text)[] specs)
    {
        var driver = CreateDriver(specs.Select(s => new InMemoryAdditionalText(PathOf(s.FileName), s.Text)), rootNamespace);
        var compilation = EmptyCompilation();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>Compile errors and warnings of generated code (empty when it compiles cleanly).</summary>
    public static IReadOnlyList<Diagnostic> CompileProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var runtime = new[] { typeof(ModelGen.ModelOptions).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location };
        return platform.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Concat(runtime)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }
}

/// <summary>The result of one generator run.</summary>
internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    public IReadOnlyList<Diagnostic> Diagnostics => Result.Diagnostics;

    public IReadOnlyList<string> Sources => Result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).ToList();

    /// <summary>The generated files that are real models, not stand-ins for specs with errors.</summary>
    public IReadOnlyList<string> ModelFiles => Sources.Where(s => !IsStandIn(s)).ToList();

    /// <summary>The stand-ins generated for specs with errors.</summary>
    public IReadOnlyList<string> StandIns => Sources.Where(IsStandIn).ToList();

    /// <summary>Whether a generated file is the stand-in of a spec with errors.</summary>
    public static bool IsStandIn(string source) => source.Contains("is only a stand-in", StringComparison.Ordinal);

    /// <summary>The files generated for the one model of the run, in one text, each after a line naming it.</summary>
    public string ModelSources
    {
        get
        {
            var files = Result.Results.SelectMany(r => r.GeneratedSources).ToList();
            Assert.Equal(3, files.Count); // network, training, metadata
            return string.Join("\n", files.Select(s => $"// ---- {s.HintName} ----\n{s.SourceText}"));
        }
    }
}
