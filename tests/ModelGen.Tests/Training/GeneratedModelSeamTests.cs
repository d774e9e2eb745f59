using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A generated model works through TorchSharp's own mechanisms: submodules run through <c>call</c>, so
/// forward hooks fire; the standard <c>train()</c> respects the freeze policy; creating a model seeds its
/// fresh weights without changing the caller's random numbers; the head's modules are its state_dict keys.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GeneratedModelSeamTests
{
    [Fact]
    public void ForwardHooks_OnTheBackboneAndTheHead_FireInForwardLogits()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });
        var fired = new List<string>();
        var backboneHook = model.Backbone.register_forward_hook((_, _, output) => { fired.Add("backbone"); return output; });
        var headHook = model.Head.register_forward_hook((_, _, output) => { fired.Add("head"); return output; });
        using var scope = NewDisposeScope();

        model.eval();
        model.ForwardLogits(zeros(2, 3, 32, 32));

        backboneHook.remove();
        headHook.remove();
        Assert.Equal(["backbone", "head"], fired);
    }

    [Fact]
    public void StandardTrain_KeepsAFrozenBackboneInEvaluationMode_AndTrainsTheHead()
    {
        // TinySeeded's first phase freezes the whole backbone (freeze: all, the default).
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });

        model.train();

        Assert.False(model.Backbone.training);
        Assert.All(model.Backbone.named_modules(), m => Assert.False(m.module.training, $"backbone module {m.name} is in training mode"));
        Assert.True(model.Head.training);
        Assert.Contains(model.Head.named_modules(), m => m.module is Dropout && m.module.training);
    }

    [Fact]
    public void StandardTrain_WithTheBackboneUnfrozen_TrainsItsBatchNorm()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });
        model.Backbone.Freeze(ModelGen.Backbones.FreezeBoundary.None);

        model.train();

        Assert.True(model.Backbone.training);
        Assert.All(model.Backbone.named_modules().Where(m => m.module is BatchNorm2d), m => Assert.True(m.module.training, m.name));
    }

    [Fact]
    public void Create_LeavesTheCallersRandomNumbersAsTheyWere()
    {
        manual_seed(123);
        var expected = rand(8).data<float>().ToArray();

        manual_seed(123);
        using (TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 5 }))
        {
        }

        Assert.Equal(expected, rand(8).data<float>().ToArray());
    }

    [Fact]
    public void Create_WithTheSameSeed_GivesTheSameWeights_AndAnotherSeedOthers()
    {
        using var first = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 5 });
        rand(100); // draws in between do not matter
        using var again = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 5 });
        using var other = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 6 });

        var weights = first.state_dict();
        Assert.All(weights, kv => Assert.True(kv.Value.Identical(again.state_dict()[kv.Key]), kv.Key));
        Assert.False(weights["head.dense1.weight"].Identical(other.state_dict()["head.dense1.weight"]));
        Assert.False(weights["backbone.conv1.weight"].Identical(other.state_dict()["backbone.conv1.weight"]));
    }

    [Fact]
    public void TheHeadsModules_AreTheStateDictKeysUnderHead_InSpecOrder()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });

        var head = model.state_dict().Keys.Where(k => !k.StartsWith("backbone.", StringComparison.Ordinal));

        Assert.Equal(["head.dense1.weight", "head.dense1.bias", "head.dense2.weight", "head.dense2.bias"], head);
    }
}
