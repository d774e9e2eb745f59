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
/// <param name="QualifiedName">Namespace.Class, for the duplicate check across specs; null when unknown.</param>
/// <param name="ModelLocation">Where the 'model' value is written, for the duplicate check.</param>
internal sealed record CompiledSpec(ModelPlan? Plan, EquatableArray<SpecDiagnostic> Diagnostics, string? QualifiedName, SpecLocation? ModelLocation);

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
            return new CompiledSpec(null, diagnostics.ToEquatableArray(), null, null);
        }

        try
        {
            var spec = SpecReader.Read(path, text, diagnostics, cancellationToken);
            if (spec is null)
            {
                return new CompiledSpec(null, diagnostics.ToEquatableArray(), null, null);
            }

            var plan = analyze(spec, options, diagnostics);
            var ns = spec.Namespace?.Value ?? options.RootNamespace;
            var qualified = (ns.Length == 0 ? "" : ns + ".") + spec.Model.Value;
            return new CompiledSpec(diagnostics.HasErrors ? null : plan, diagnostics.ToEquatableArray(), qualified, spec.Model.Location);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug in ModelGen must not take the build down, nor be blamed on the spec.
            diagnostics.Add(InternalError.For(e, path));
            return new CompiledSpec(null, diagnostics.ToEquatableArray(), null, null);
        }
    }
}
