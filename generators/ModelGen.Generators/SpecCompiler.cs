using System;
using System.Threading;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;

namespace ModelGen.Generators;

/// <summary>One spec file compiled: the plan to emit (null when the spec has errors) and the diagnostics.</summary>
/// <param name="Plan">The model plan; null when any error was found.</param>
/// <param name="Diagnostics">Every problem found, located in the spec file.</param>
/// <param name="Names">The names the spec declares, for the checks across specs; null when the spec could not be read.</param>
/// <param name="StandIn">When the spec has errors: what its stand-in class needs, or null when its names are unusable.</param>
internal sealed record CompiledSpec(ModelPlan? Plan, EquatableArray<SpecDiagnostic> Diagnostics, DeclaredNames? Names, StandIn? StandIn = null);

/// <summary>Spec text in, plan and diagnostics out: read, analyze, and never throw.</summary>
internal static class SpecCompiler
{
    public static CompiledSpec Compile(string path, string? text, ProjectOptions options, CancellationToken cancellationToken) =>
        Compile(path, text, options, ModelAnalyzer.Analyze, cancellationToken);

    /// <summary>As <see cref="Compile(string, string?, ProjectOptions, CancellationToken)"/>, with the analysis given: tests pass one that fails.</summary>
    internal static CompiledSpec Compile(
        string path,
        string? text,
        ProjectOptions options,
        Func<ModelSpec, ProjectOptions, DiagnosticBag, ModelPlan?> analyze,
        CancellationToken cancellationToken)
    {
        var diagnostics = new DiagnosticBag();
        if (text is null)
        {
            diagnostics.Add(DiagnosticDescriptors.UnreadableFile, SpecLocation.FileStart(path));
            return new CompiledSpec(null, diagnostics.ToEquatableArray(), null);
        }

        try
        {
            var spec = SpecReader.Read(path, text, diagnostics, cancellationToken);
            if (spec is null)
            {
                return new CompiledSpec(null, diagnostics.ToEquatableArray(), null, StandInFor(path, text, options, cancellationToken));
            }

            var plan = analyze(spec, options, diagnostics);
            var names = new DeclaredNames(
                spec.Namespace?.Value ?? Identifiers.Namespace(options.RootNamespace),
                spec.Model.Value,
                spec.Labels is { Count: > 0 },
                spec.Model.Location,
                spec.Namespace?.Location);
            return diagnostics.HasErrors
                ? new CompiledSpec(null, diagnostics.ToEquatableArray(), names, StandInFor(path, text, options, cancellationToken))
                : new CompiledSpec(plan, diagnostics.ToEquatableArray(), names);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug in ModelGen must not take the build down, nor be blamed on the spec.
            diagnostics.Add(InternalError.For(e, path));
            return new CompiledSpec(null, diagnostics.ToEquatableArray(), null);
        }
    }

    /// <summary>The stand-in of a spec with errors; a failure to make one costs only the stand-in.</summary>
    private static StandIn? StandInFor(string path, string text, ProjectOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return StandIn.For(path, text, options, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
