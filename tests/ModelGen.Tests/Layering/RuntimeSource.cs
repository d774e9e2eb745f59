using System.Collections.Immutable;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Layering;

/// <summary>
/// The runtime library's source (src/ModelGen and the vocabulary it shares with the generator, src/Shared)
/// compiled the way its project compiles it, so that every name in it binds to exactly what it means.
/// </summary>
internal static class RuntimeSource
{
    private static readonly Lazy<CSharpCompilation> Lazy = new(Compile);

    /// <summary>The compilation (built once per test run).</summary>
    public static CSharpCompilation Compilation => Lazy.Value;

    /// <summary>The folder of the runtime library's own source.</summary>
    public static string RuntimeFolder => Path.Combine(Repository.Root, "src", "ModelGen");

    /// <summary>The folder of the vocabulary compiled into both the generator and the runtime.</summary>
    public static string VocabularyFolder => Path.Combine(Repository.Root, "src", "Shared");

    /// <summary>The parse options of the runtime project: its DefineConstants add MODELGEN_RUNTIME (src/Shared reads it).</summary>
    public static CSharpParseOptions ParseOptions { get; } =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithPreprocessorSymbols("MODELGEN_RUNTIME");

    /// <summary>Whether a file is part of the shared vocabulary (src/Shared).</summary>
    public static bool IsVocabulary(SyntaxTree tree) =>
        tree.FilePath.StartsWith(VocabularyFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>A path relative to the repository, for messages.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');

    private static CSharpCompilation Compile()
    {
        var files = SourceFiles(RuntimeFolder).Concat(SourceFiles(VocabularyFolder)).ToList();
        Assert.True(files.Count > 50, $"Found only {files.Count} source files under {RuntimeFolder} and {VocabularyFolder}; is RepositoryRoot right?");
        var trees = files.Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), ParseOptions, path)).ToList();

        // The project's ImplicitUsings, as the SDK writes them into GlobalUsings.g.cs.
        trees.Add(CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; "
            + "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
            ParseOptions,
            "ImplicitUsings.g.cs"));

        var compilation = CSharpCompilation.Create(
            "ModelGen",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        // Exact answers need a clean compilation: a name that does not bind is a dependency the walk cannot see.
        // CS8795: the logging messages' partial methods are implemented by the LoggerMessage source
        // generator, which is not run here; their names bind all the same.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(10).ToList();
        Assert.True(errors.Count == 0, "The runtime's source does not compile here (the test needs every name bound):\n" + string.Join("\n", errors));
        return compilation;
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Relative(path).Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    // The framework, and every managed assembly the tests run with (the runtime's packages: TorchSharp,
    // OnnxSharp, ImageSharp, ...), but not the built runtime itself, whose source is compiled instead.
    private static ImmutableArray<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in platform.Concat(local))
        {
            var name = Path.GetFileName(path);
            if (name != "ModelGen.dll" && !byName.ContainsKey(name) && IsManaged(path))
            {
                byName[name] = path;
            }
        }

        return [.. byName.Values.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata;
    }
}
