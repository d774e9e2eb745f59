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
        backbone.Freeze("layer4", batchNorm: BatchNormMode.Frozen);

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
        backbone.Freeze("layer4", batchNorm: BatchNormMode.Trainable);

        var (before, after) = Step(backbone);

        Assert.False(before["bn1.running_mean"].Identical(after["bn1.running_mean"]));
        Assert.True(before["bn1.weight"].Identical(after["bn1.weight"]));
        Assert.True(before["layer1.0.conv1.weight"].Identical(after["layer1.0.conv1.weight"]));
    }

    [Fact]
    public void InferenceBatchNorm_KeepsEveryStatistic_WhileTrainableLayersMove()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 5);
        backbone.Freeze("layer4", batchNorm: BatchNormMode.Inference);

        var (before, after) = Step(backbone);

        Assert.True(before["layer4.0.bn1.running_mean"].Identical(after["layer4.0.bn1.running_mean"]));
        Assert.False(before["layer4.0.bn1.weight"].Identical(after["layer4.0.bn1.weight"]));
        Assert.False(before["layer4.0.conv1.weight"].Identical(after["layer4.0.conv1.weight"]));
    }

    [Fact]
    public void FreezeAll_TrainsNothing_AndFreezeNone_TrainsEverything()
    {
        using var backbone = WeightsRoundTripTests.Backbone("mobilenet_v2", seed: 3);

        backbone.Freeze(null, batchNorm: BatchNormMode.Frozen);
        Assert.Empty(backbone.TrainableParameters());
        backbone.TrainingMode();
        Assert.False(backbone.training);

        backbone.Freeze("*", batchNorm: BatchNormMode.Frozen);
        Assert.Equal(backbone.parameters().Count(), backbone.TrainableParameters().Count());
    }

    [Fact]
    public void FreezeAtAnUnknownName_SaysWhatTheNamesAre()
    {
        using var backbone = WeightsRoundTripTests.Backbone("alexnet", seed: 4);

        var error = Assert.Throws<ArgumentException>(() => backbone.Freeze("features.99", batchNorm: BatchNormMode.Frozen));

        Assert.Contains("features.0.weight", error.Message);
    }

    private static (Dictionary<string, Tensor> Before, Dictionary<string, Tensor> After) Step(ModelGen.Backbones.Backbone backbone)
    {
        var before = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        backbone.TrainingMode();
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
