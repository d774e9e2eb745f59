using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators;

namespace ModelGen.Benchmarks;

/// <summary>
/// The generator's time per spec: a full generator run (read, check, emit) over 1, 50 and 500 specs, the
/// way the compiler runs it on a cold build. The specs are the repository's test specs, renamed apart.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmark
{
    private GeneratorDriver _driver = null!;
    private CSharpCompilation _compilation = null!;

    [Params(1, 50, 500)]
    public int Specs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _driver = CreateDriver(Specs);
        _compilation = CSharpCompilation.Create("Bench");
    }

    [Benchmark]
    public int RunGenerator() => _driver.RunGenerators(_compilation).GetRunResult().GeneratedTrees.Length;

    /// <summary>A driver over <paramref name="count"/> specs (distinct class names).</summary>
    public static GeneratorDriver CreateDriver(int count)
    {
        var folder = Path.Combine(Repository.Root, "tests", "ModelGen.Generators.Tests", "Specs");
        var seeds = Directory.GetFiles(folder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).Order().Select(File.ReadAllText).ToArray();
        var texts = Enumerable.Range(0, count)
            .Select(i => new SpecText($"/bench/spec{i}.model.yaml", System.Text.RegularExpressions.Regex.Replace(seeds[i % seeds.Length], @"(?m)^model: (\w+)", $"model: $1N{i}")))
            .ToImmutableArray<AdditionalText>();
        return CSharpGeneratorDriver.Create([new ModelSpecGenerator().AsSourceGenerator()], texts, CSharpParseOptions.Default, new Options());
    }

    /// <summary>A quick measurement without BenchmarkDotNet: median of repeated cold runs, in ms per spec.</summary>
    public static void Quick(TextWriter output)
    {
        output.WriteLine("generator: a cold run (no cache) over N specs, median of 9 runs");
        output.WriteLine("specs   ms/run   ms/spec");
        foreach (var count in new[] { 1, 50, 500 })
        {
            var compilation = CSharpCompilation.Create("Bench");
            var check = CreateDriver(count).RunGenerators(compilation).GetRunResult();
            // Each model is written as three partial files: network, training, metadata.
            if (check.GeneratedTrees.Length != 3 * count || !check.Diagnostics.IsEmpty)
            {
                throw new InvalidOperationException($"expected {3 * count} generated files and no diagnostics, got {check.GeneratedTrees.Length} and {check.Diagnostics.Length}: {check.Diagnostics.FirstOrDefault()}");
            }

            var times = new List<double>();
            for (var i = 0; i < 9; i++)
            {
                var driver = CreateDriver(count);
                var clock = Stopwatch.StartNew();
                driver.RunGenerators(compilation);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            var median = times.Order().ElementAt(times.Count / 2);
            output.WriteLine($"{count,5} {median,8:0.0} {median / count,9:0.00}");
        }
    }

    private sealed class SpecText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class Options : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values();

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class Values : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
            {
                value = key switch
                {
                    "build_property.RootNamespace" => "Bench",
                    "build_property.MSBuildProjectDirectory" => "/bench",
                    _ => null,
                };
                return value is not null;
            }
        }
    }
}
