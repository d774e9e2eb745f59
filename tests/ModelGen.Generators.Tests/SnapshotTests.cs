using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>The generated code for representative specs, reviewed like any other code.</summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData("cats-feature-extraction.model.yaml")]
    [InlineData("cats-augmented.model.yaml")]
    [InlineData("cats-fine-tuning.model.yaml")]
    [InlineData("fashion-resnet18.model.json")]
    [InlineData("resnet50-discriminative.model.yaml")]
    [InlineData("mobilenet-sgd.model.yaml")]
    [InlineData("alexnet-max-pool.model.yaml")]
    [InlineData("vgg16-bn-two-phases.model.yaml")]
    [InlineData("onnx-graph.model.yaml")]
    [InlineData("minimal.model.yaml")]
    [InlineData("url-weights.model.yaml")]
    [InlineData("imbalanced-focal.model.yaml")]
    [InlineData("vit-class-token.model.yaml")]
    [InlineData("optimisation.model.yaml")]
    [InlineData("augment-policies.model.yaml")]
    [InlineData("mixing.model.yaml")]
    [InlineData("regression-angle.model.yaml")]
    public void Generate_RepresentativeSpec_MatchesTheVerifiedCode(string spec)
    {
        var run = GeneratorHarness.Run((spec, Repository.Spec(spec)));

        Assert.Empty(run.Diagnostics);
        Snapshot.Verify(run.ModelSources, suffix: spec.Replace(".model.", ".").Replace('.', '-'));
    }

    [Fact]
    public void Generate_EveryRepresentativeSpecTogether_CompilesWithoutWarnings()
    {
        var specs = Directory.GetFiles(Repository.SpecsFolder)
            .Select(path => (Path.GetFileName(path), File.ReadAllText(path)))
            .ToArray();

        var run = GeneratorHarness.Run(specs);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(specs.Length * 3, run.Sources.Count); // network, training and metadata files per model
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }
}
