using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>Generated models register every parameter once, under its spec name: what freezing, checkpoints and saved files rely on.</summary>
public sealed class StateDictTests
{
    [Fact]
    public void ImportedGraphBackbone_RegistersEachTensorOnce_UnderBackboneOrHeadNames()
    {
        using var temp = new TempFolder();
        using var model = FashionTwoPhase.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        var names = model.state_dict().Keys.ToList();
        var parameters = model.named_parameters().ToList();

        Assert.All(names, n => Assert.True(n.StartsWith("backbone.", StringComparison.Ordinal) || n.StartsWith("head.dense", StringComparison.Ordinal), n));
        Assert.Equal(parameters.Count, parameters.Select(p => p.parameter.Handle).Distinct().Count());
        Assert.Contains("backbone.layer3.1.bn2.running_var", names);
        model.Backbone.Freeze(ModelGen.Backbones.FreezeBoundary.TrainableFrom("layer3"));
        Assert.All(model.Backbone.named_parameters(), p => Assert.Equal(p.name.StartsWith("layer3.", StringComparison.Ordinal), p.parameter.requires_grad));
    }
}
