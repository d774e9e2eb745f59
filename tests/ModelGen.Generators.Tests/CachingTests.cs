using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>The generator's pipeline caches: unchanged input does no work, and a comment edit does not regenerate code.</summary>
public sealed class CachingTests
{
    private static readonly string[] AllSteps =
    [
        TrackingNames.ProjectOptions, TrackingNames.SpecTexts, TrackingNames.Compiled, TrackingNames.Plans,
        TrackingNames.Diagnostics, TrackingNames.ModelNames, TrackingNames.Duplicates, TrackingNames.Emittable,
    ];

    [Fact]
    public void SecondRun_WithNothingChanged_IsCachedEverywhere()
    {
        var (driver, compilation, _) = RunOnce();

        driver = driver.RunGenerators(compilation);

        AssertAllCachedOrUnchanged(driver.GetRunResult(), AllSteps);
    }

    [Fact]
    public void EditingACSharpFile_LeavesEveryStepCached()
    {
        var (driver, compilation, _) = RunOnce();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace User; public class Something { }"));

        driver = driver.RunGenerators(edited);

        AssertAllCachedOrUnchanged(driver.GetRunResult(), AllSteps);
    }

    [Theory]
    [InlineData("# a new comment\n", "")]
    [InlineData("", "\n\n# a comment at the end\n")]
    [InlineData("\n\n\n", "")]
    public void EditingOnlyCommentsOrBlankLines_DoesNotRegenerateSource(string before, string after)
    {
        var (driver, compilation, spec) = RunOnce();
        var sourceBefore = AllText(driver.GetRunResult());

        driver = driver.ReplaceAdditionalText(spec, new InMemoryAdditionalText(spec.Path, before + spec.Text + after));
        driver = driver.RunGenerators(compilation);

        var result = driver.GetRunResult();
        Assert.Contains(Reasons(result, TrackingNames.SpecTexts), r => r == IncrementalStepRunReason.Modified);
        AssertAllCachedOrUnchanged(result, [TrackingNames.Plans, TrackingNames.Emittable]);
        Assert.Equal(sourceBefore, AllText(result));
    }

    [Fact]
    public void EditingOnlyAnInlineCommentOrSpacesWithinALine_DoesNotRegenerateSource()
    {
        var (driver, compilation, spec) = RunOnce();
        var sourceBefore = AllText(driver.GetRunResult());
        Assert.Contains("epochs: 30", spec.Text);

        driver = driver.ReplaceAdditionalText(spec, new InMemoryAdditionalText(spec.Path, spec.Text.Replace("epochs: 30", "epochs:    30   # thirty, as in the recipe", StringComparison.Ordinal)));
        driver = driver.RunGenerators(compilation);

        var result = driver.GetRunResult();
        Assert.Contains(Reasons(result, TrackingNames.SpecTexts), r => r == IncrementalStepRunReason.Modified);
        AssertAllCachedOrUnchanged(result, [TrackingNames.Plans, TrackingNames.Emittable]);
        Assert.Equal(sourceBefore, AllText(result));
    }

    [Fact]
    public void EditingAValue_RegeneratesSource()
    {
        var (driver, compilation, spec) = RunOnce();

        driver = driver.ReplaceAdditionalText(spec, new InMemoryAdditionalText(spec.Path, spec.Text.Replace("epochs: 30", "epochs: 31")));
        driver = driver.RunGenerators(compilation);

        var result = driver.GetRunResult();
        Assert.Contains(Reasons(result, TrackingNames.Plans), r => r == IncrementalStepRunReason.Modified);
        Assert.Contains("epochs: 31", AllText(result));
    }

    [Fact]
    public void PipelineValues_HoldNoRoslynObjects()
    {
        var options = new ProjectOptions("TestProject", GeneratorHarness.ProjectDirectory);
        foreach (var file in Directory.GetFiles(Repository.SpecsFolder))
        {
            var compiled = SpecCompiler.Compile(file, File.ReadAllText(file), options, CancellationToken.None);
            AssertNoRoslynObjects(compiled, "CompiledSpec", new HashSet<object>(ReferenceEqualityComparer.Instance));
            Assert.NotNull(compiled.Plan);

            // Value equality: compiling the same text again gives an equal result.
            Assert.Equal(compiled, SpecCompiler.Compile(file, File.ReadAllText(file), options, CancellationToken.None));
        }
    }

    private static (GeneratorDriver Driver, Compilation Compilation, InMemoryAdditionalText Spec) RunOnce()
    {
        var spec = new InMemoryAdditionalText(GeneratorHarness.PathOf("cats.model.yaml"), Repository.Spec("cats-feature-extraction.model.yaml"));
        var driver = GeneratorHarness.CreateDriver([spec]);
        var compilation = GeneratorHarness.EmptyCompilation(CSharpSyntaxTree.ParseText("namespace User; public class Program { }"));
        return (driver.RunGenerators(compilation), compilation, spec);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results[0].TrackedSteps.TryGetValue(step, out var runs)
            ? runs.SelectMany(run => run.Outputs).Select(output => output.Reason)
            : [];

    private static void AssertAllCachedOrUnchanged(GeneratorDriverRunResult result, IEnumerable<string> steps)
    {
        foreach (var step in steps)
        {
            var reasons = Reasons(result, step).ToList();
            Assert.True(reasons.Count > 0, $"step {step} was not tracked");
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {step} was {reason}"));
        }
    }

    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value is Enum || !seen.Add(value))
        {
            return;
        }

        var type = value.GetType();
        Assert.False(type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true, $"{path} holds a Roslyn {type.Name}");
        if (value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                AssertNoRoslynObjects(item, $"{path}[{index++}]", seen);
            }

            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertNoRoslynObjects(property.GetValue(value), path + "." + property.Name, seen);
        }
    }

    // Every file the run generated, in one text.
    private static string AllText(GeneratorDriverRunResult result) =>
        string.Concat(result.Results[0].GeneratedSources.Select(s => s.SourceText.ToString()));
}
