using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>
/// The freeze policies of the seed's fine-tuning, named with Keras layer names, on generated VGG models at
/// run time: the generator maps <c>block5_conv1</c> and <c>block4_pool</c> to torchvision's
/// <c>features.N</c>, <c>Create</c> freezes there, and one step of an optimizer built by
/// <see cref="Optimizers"/> moves exactly the layers after the boundary (batch-norm statistics included).
/// </summary>
public sealed class VggFreezePolicyTests
{
    // VGG16's features: convolutions at 0 2 | 5 7 | 10 12 14 | 17 19 21 | 24 26 28, pools at 4 9 16 23 30.
    // block5_conv1 is features.24; block4_pool is features.23, so freezing through it also starts at 24.
    private static readonly string[] Vgg16Block5 =
    [
        "features.24.weight", "features.24.bias", "features.26.weight", "features.26.bias", "features.28.weight", "features.28.bias",
    ];

    // VGG16_bn's features: each convolution is followed by a batch norm and a ReLU, so block4_pool is
    // features.33 and block5 is conv 34, bn 35, conv 37, bn 38, conv 40, bn 41.
    private static readonly string[] Vgg16BnBlock5 =
    [
        "features.34.weight", "features.34.bias", "features.35.weight", "features.35.bias",
        "features.37.weight", "features.37.bias", "features.38.weight", "features.38.bias",
        "features.40.weight", "features.40.bias", "features.41.weight", "features.41.bias",
    ];

    public static TheoryData<string> Vgg16Policies => new() { "trainable_from: block5_conv1", "frozen_through: block4_pool" };

    [Theory]
    [MemberData(nameof(Vgg16Policies))]
    public void Vgg16_FrozenBeforeBlock5_TrainsExactlyBlock5_AndAnRmsPropStepMovesNothingElse(string policy)
    {
        using var model = policy.StartsWith("trainable_from", StringComparison.Ordinal)
            ? (nn.Module<Tensor, Tensor>)VggTrainableFrom.Create(new ModelOptions { Device = CPU })
            : VggFrozenThrough.Create(new ModelOptions { Device = CPU });
        var backbone = model switch
        {
            VggTrainableFrom trainableFrom => trainableFrom.Backbone,
            VggFrozenThrough frozenThrough => frozenThrough.Backbone,
            _ => throw new InvalidOperationException(model.GetName()),
        };

        Assert.Equal(Vgg16Block5, Trainable(backbone));

        // As the generated fine-tuning phase builds it: the head, and the backbone's trainable parameters.
        using var optimizer = Optimizers.RmsProp(Head(model), backbone.TrainableParameters(), lr: 1e-3, momentum: 0.9);
        var (before, after) = Step(model, backbone, optimizer);

        AssertOnlyFrom(firstMovingLayer: 24, before, after, policy);
    }

    [Fact]
    public void Vgg16Bn_FrozenThroughBlock4Pool_KeepsFrozenBatchNormStatistics_InTrainingMode()
    {
        using var model = VggBnFrozenThrough.Create(new ModelOptions { Device = CPU });
        var backbone = model.Backbone;

        Assert.Equal(Vgg16BnBlock5, Trainable(backbone));

        // All backbone parameters offered, at a rate of their own: the optimizer takes only the trainable ones.
        using var optimizer = Optimizers.Sgd(Head(model), backbone.parameters(), lr: 0.1, backboneLr: 0.01, momentum: 0.9);
        var (before, after) = Step(model, backbone, optimizer);

        foreach (var (name, module) in backbone.named_modules().Where(m => m.module is BatchNorm2d))
        {
            Assert.True(module.training == LayerIndex(name) >= 34, $"{name} is in {(module.training ? "training" : "evaluation")} mode");
        }

        // Parameters and running statistics alike: block 5 moves, the frozen batch norms before it do not.
        Assert.Contains("features.31.running_mean", before.Keys);
        Assert.Contains("features.35.running_var", before.Keys);
        AssertOnlyFrom(firstMovingLayer: 34, before, after, "frozen_through: block4_pool, batch_norm: frozen");
    }

    private static string[] Trainable(Backbone backbone) =>
        backbone.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();

    private static IEnumerable<Parameter> Head(nn.Module model) =>
        model.named_parameters().Where(p => !p.name.StartsWith("backbone.", StringComparison.Ordinal)).Select(p => p.parameter);

    private static int LayerIndex(string name) => int.Parse(name.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertOnlyFrom(int firstMovingLayer, Dictionary<string, Tensor> before, Dictionary<string, Tensor> after, string policy)
    {
        Assert.Equal(before.Keys, after.Keys);
        foreach (var name in before.Keys)
        {
            var changed = !before[name].Identical(after[name]);
            var shouldMove = LayerIndex(name) >= firstMovingLayer;
            Assert.True(changed == shouldMove, $"{policy}: {name} {(changed ? "changed" : "is unchanged")}, but it is {(shouldMove ? "trainable" : "frozen")}");
        }
    }

    // One training step as the generated fine-tuning loop takes it; returns the backbone's state before and after.
    private static (Dictionary<string, Tensor> Before, Dictionary<string, Tensor> After) Step(nn.Module<Tensor, Tensor> model, Backbone backbone, optim.Optimizer optimizer)
    {
        var before = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        model.train(); // the standard call: the backbone's override keeps its frozen layers in evaluation mode
        manual_seed(7);
        using (var scope = NewDisposeScope())
        {
            var probabilities = model.forward(randn(4, 3, 32, 32));
            var loss = nn.functional.nll_loss(probabilities.log(), tensor(new long[] { 0, 1, 0, 1 }));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        var after = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        return (before, after);
    }
}
