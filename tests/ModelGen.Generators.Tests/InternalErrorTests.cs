using System.Globalization;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Emit;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>A bug in ModelGen is reported as MG0025, an internal error with a bug-report hint, never as a mistake in the spec.</summary>
public sealed class InternalErrorTests
{
    private static readonly ProjectOptions Options = new("TestProject", GeneratorHarness.ProjectDirectory);

    [Fact]
    public void AnExceptionInTheAnalysis_IsAnInternalError_NotASpecError()
    {
        var path = GeneratorHarness.PathOf("minimal.model.yaml");

        var compiled = SpecCompiler.Compile(path, Repository.Spec("minimal.model.yaml"), Options, FailingAnalysis, CancellationToken.None);

        Assert.Null(compiled.Plan);
        var diagnostic = Assert.Single(compiled.Diagnostics).ToDiagnostic();
        Assert.Equal("MG0025", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("ModelGen.Internal", diagnostic.Descriptor.Category);
        Assert.Equal(path, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(default, diagnostic.Location.GetLineSpan().StartLinePosition);
        var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("System.InvalidOperationException: the layer table is out of step", message);
        Assert.Contains("at ModelGen.Generators.Tests.InternalErrorTests.", message);
        Assert.Contains("bug in ModelGen, not a mistake in the spec", message);
        Assert.Contains("report it to the ModelGen maintainers", message);
    }

    [Fact]
    public void TheSameSpec_CompilesWithTheRealAnalysis()
    {
        var compiled = SpecCompiler.Compile(GeneratorHarness.PathOf("minimal.model.yaml"), Repository.Spec("minimal.model.yaml"), Options, CancellationToken.None);

        Assert.Empty(compiled.Diagnostics);
        Assert.NotNull(compiled.Plan);
    }

    [Fact]
    public void AnExceptionInTheEmitter_CostsThatModel_WithAnInternalError()
    {
        var plan = SpecCompiler.Compile(GeneratorHarness.PathOf("minimal.model.yaml"), Repository.Spec("minimal.model.yaml"), Options, CancellationToken.None).Plan!;

        var (files, error) = ModelSpecGenerator.Emit(plan, _ => throw new EmitterBugException("no writer for this layer\non two lines"));

        Assert.Empty(files);
        Assert.NotNull(error);
        Assert.Equal("MG0025", error.Id);
        Assert.Equal(plan.SpecPath, error.Location.FilePath);
        Assert.Contains("EmitterBugException: no writer for this layer on two lines (at ", error.Message);
    }

    [Fact]
    public void AWorkingEmitter_GivesItsFilesAndNoError()
    {
        var plan = SpecCompiler.Compile(GeneratorHarness.PathOf("minimal.model.yaml"), Repository.Spec("minimal.model.yaml"), Options, CancellationToken.None).Plan!;

        var (files, error) = ModelSpecGenerator.Emit(plan, ModelEmitter.Emit);

        Assert.Null(error);
        Assert.Equal(3, files.Count);
    }

    private static ModelPlan? FailingAnalysis(ModelGen.Generators.Spec.ModelSpec spec, ProjectOptions options, DiagnosticBag diagnostics) =>
        throw new InvalidOperationException("the layer table is out of step");

    private sealed class EmitterBugException(string message) : Exception(message);
}
