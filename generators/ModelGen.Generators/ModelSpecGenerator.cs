using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Emit;
using ModelGen.Generators.Model;

namespace ModelGen.Generators;

/// <summary>
/// Turns every <c>*.model.yaml</c>, <c>*.model.yml</c> and <c>*.model.json</c> of a project into a model
/// class. Source and diagnostics are separate outputs: moving a line in a spec re-reports diagnostics
/// without regenerating code, and a spec whose model is unchanged is not emitted again.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelSpecGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => ReadOptions(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.ProjectOptions);

        var texts = context.AdditionalTextsProvider
            .Where(static file => SpecFiles.IsSpec(file.Path))
            .Select(static (file, cancellationToken) => new SpecText(file.Path, file.GetText(cancellationToken)?.ToString()))
            .WithTrackingName(TrackingNames.SpecTexts);

        var compiled = texts
            .Combine(options)
            .Select(static (pair, cancellationToken) => SpecCompiler.Compile(pair.Left.Path, pair.Left.Text, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Compiled);

        var diagnostics = compiled
            .Select(static (spec, _) => spec.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, items) =>
        {
            foreach (var item in items)
            {
                output.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        // Two specs whose types or namespaces clash: the first (by path) wins, the others get MG0019.
        var names = compiled
            .Where(static spec => spec.Names is not null)
            .Select(static (spec, _) => spec.Names!)
            .WithTrackingName(TrackingNames.ModelNames)
            .Collect()
            .Select(static (all, _) => SpecCollisions.Find(all))
            .WithTrackingName(TrackingNames.Duplicates);
        context.RegisterSourceOutput(names, static (output, duplicates) =>
        {
            foreach (var duplicate in duplicates.Reports)
            {
                output.ReportDiagnostic(duplicate.ToDiagnostic());
            }
        });

        var plans = compiled
            .Select(static (spec, _) => spec.Plan)
            .WithTrackingName(TrackingNames.Plans)
            .Combine(names)
            .Where(static pair => pair.Left is not null && !pair.Right.Losers.Contains(pair.Left.SpecPath))
            .Select(static (pair, _) => pair.Left!)
            .WithTrackingName(TrackingNames.Emittable);
        context.RegisterSourceOutput(plans, static (output, plan) =>
        {
            var (files, error) = Emit(plan, ModelEmitter.Emit);
            if (error is not null)
            {
                output.ReportDiagnostic(error.ToDiagnostic());
            }

            foreach (var file in files)
            {
                output.AddSource(file.HintName, SourceText.From(file.Text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
            }
        });

        // A spec with errors gets a stand-in with the model's API, so that its MG errors are the build's only ones.
        var standIns = compiled
            .Collect()
            .Select(static (all, _) => SpecCollisions.EmittableStandIns(all))
            .WithTrackingName(TrackingNames.StandIns)
            .SelectMany(static (all, _) => all);
        context.RegisterSourceOutput(standIns, static (output, standIn) =>
        {
            // The spec's own errors are already reported; a bug here costs only the stand-in.
            var (files, _) = Emit(standIn, standIn.SpecPath, static s => [StandInWriter.Write(s)]);
            foreach (var file in files)
            {
                output.AddSource(file.HintName, SourceText.From(file.Text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
            }
        });
    }

    /// <summary>
    /// The plan's source files, or none and the internal error that stopped them: a bug in the emitter costs
    /// this one model, with MG0025 saying so, not the whole generator's output (Roslyn's CS8785).
    /// </summary>
    internal static (IReadOnlyList<GeneratedFile> Files, SpecDiagnostic? Error) Emit(ModelPlan plan, Func<ModelPlan, IReadOnlyList<GeneratedFile>> emit) =>
        Emit(plan, plan.SpecPath, emit);

    private static (IReadOnlyList<GeneratedFile> Files, SpecDiagnostic? Error) Emit<T>(T input, string specPath, Func<T, IReadOnlyList<GeneratedFile>> emit)
    {
        try
        {
            return (emit(input), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ([], InternalError.For(e, specPath));
        }
    }

    private static ProjectOptions ReadOptions(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options)
    {
        options.TryGetValue("build_property.RootNamespace", out var rootNamespace);
        options.TryGetValue("build_property.MSBuildProjectDirectory", out var projectDirectory);
        return new ProjectOptions(rootNamespace ?? "", projectDirectory ?? "");
    }

    private sealed record SpecText(string Path, string? Text);
}
