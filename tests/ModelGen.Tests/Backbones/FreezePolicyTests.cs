using ModelGen.Tests.Weights;
using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>After an optimizer step, frozen parameters and frozen batch-norm statistics are bit-identical; trainable ones moved.</summary>
public sealed class FreezePolicyTests
{
    [Fact]
    public void TrainableFromLayer4_MovesOnlyLayer4_AndFrozenBatchNormKeepsItsStatistics()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 1);
        backbone.BatchNorm = BatchNormMode.Frozen;
        backbone.Freeze(FreezeBoundary.TrainableFrom("layer4"));

        var (before, after) = Step(backbone);

        foreach (var name in before.Keys)
        {
            var changed = !before[name].Identical(after[name]);
            var inLayer4 = name.StartsWith("layer4.", StringComparison.Ordinal);
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(changed == inLayer4, $"{name}: {(changed ? "changed" : "unchanged")}, but it is {(inLayer4 ? "trainable" : "frozen")}");
        }

        Assert.All(backbone.TrainableParameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(backbone.named_parameters().Count(p => p.name.StartsWith("layer4.", StringComparison.Ordinal)), backbone.TrainableParameters().Count());
    }

    [Fact]
    public void TrainableBatchNorm_UpdatesStatisticsOfFrozenLayers_ButNotTheirParameters()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 2);
        backbone.BatchNorm = BatchNormMode.Trainable;
        backbone.Freeze(FreezeBoundary.TrainableFrom("layer4"));

        var (before, after) = Step(backbone);

        Assert.False(before["bn1.running_mean"].Identical(after["bn1.running_mean"]));
        Assert.True(before["bn1.weight"].Identical(after["bn1.weight"]));
        Assert.True(before["layer1.0.conv1.weight"].Identical(after["layer1.0.conv1.weight"]));
    }

    [Fact]
    public void InferenceBatchNorm_KeepsEveryStatistic_WhileTrainableLayersMove()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 5);
        backbone.BatchNorm = BatchNormMode.Inference;
        backbone.Freeze(FreezeBoundary.TrainableFrom("layer4"));

        var (before, after) = Step(backbone);

        Assert.True(before["layer4.0.bn1.running_mean"].Identical(after["layer4.0.bn1.running_mean"]));
        Assert.False(before["layer4.0.bn1.weight"].Identical(after["layer4.0.bn1.weight"]));
        Assert.False(before["layer4.0.conv1.weight"].Identical(after["layer4.0.conv1.weight"]));
    }

    [Fact]
    public void FreezeAll_TrainsNothing_AndFreezeNone_TrainsEverything()
    {
        using var backbone = WeightsRoundTripTests.Backbone("mobilenet_v2", seed: 3);

        backbone.Freeze(FreezeBoundary.All);
        Assert.Empty(backbone.TrainableParameters());
        backbone.train();
        Assert.False(backbone.training);

        backbone.Freeze(FreezeBoundary.None);
        Assert.Equal(backbone.parameters().Count(), backbone.TrainableParameters().Count());
    }

    [Fact]
    public void FrozenThroughLayer3_FreezesLayer3AndEverythingBefore_AndTrainsLayer4()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 6);

        backbone.Freeze(FreezeBoundary.FrozenThrough("layer3"));

        Assert.All(backbone.named_parameters(), p => Assert.True(
            p.parameter.requires_grad == p.name.StartsWith("layer4.", StringComparison.Ordinal),
            $"{p.name}: requires_grad {p.parameter.requires_grad}"));
    }

    [Fact]
    public void FreezeAtAnUnknownName_SaysWhatTheNamesAre()
    {
        using var backbone = WeightsRoundTripTests.Backbone("alexnet", seed: 4);

        var error = Assert.Throws<ArgumentException>(() => backbone.Freeze(FreezeBoundary.TrainableFrom("features.99")));

        Assert.Contains("features.0.weight", error.Message);
    }

    private static (Dictionary<string, Tensor> Before, Dictionary<string, Tensor> After) Step(ModelGen.Backbones.Backbone backbone)
    {
        var before = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        backbone.train();
        using var optimizer = optim.SGD(backbone.TrainableParameters(), 0.1);
        using (var scope = NewDisposeScope())
        {
            var output = backbone.forward(randn(4, 3, 32, 32));
            var loss = output.square().mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        var after = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        return (before, after);
    }
}
