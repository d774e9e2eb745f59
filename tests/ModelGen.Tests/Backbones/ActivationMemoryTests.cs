using ModelGen.Backbones;
using ModelGen.Tests.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>
/// A backbone frees each activation once the next is computed: only its output joins the caller's dispose
/// scope, and the outputs and gradients are those of the same layers run plainly one after the other.
/// </summary>
public sealed class ActivationMemoryTests
{
    [Fact]
    public void Forward_LeavesOnlyItsOutputInTheCallersScope()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 3, cutAt: "layer3");
        backbone.eval();

        using var scope = NewDisposeScope();
        var input = randn(2, 3, 32, 32);
        var output = backbone.forward(input);

        Assert.Equal(2, scope.DisposablesCount); // the input and the output
        Assert.False(input.IsInvalid);
        Assert.Equal([2L, 256, 2, 2], output.shape);

        // The same layers run plainly leave every activation to the scope: what the backbone avoids.
        var before = scope.DisposablesCount;
        Plain(backbone, input);
        Assert.True(scope.DisposablesCount - before > 20, $"the plain chain left {scope.DisposablesCount - before} tensors");
    }

    [Fact]
    public void Forward_GivesThePlainChainsOutputAndGradients_WhenLayersTrain()
    {
        using var backbone = WeightsRoundTripTests.Backbone("resnet18", seed: 4, cutAt: "layer3");
        backbone.Freeze(FreezeBoundary.TrainableFrom("layer2"));
        backbone.train();
        using var scope = NewDisposeScope();
        var input = randn(2, 3, 32, 32);

        var freed = backbone.forward(input);
        freed.square().sum().backward();
        var freedGradients = backbone.TrainableParameters().Select(p => p.grad!.clone()).ToList();
        foreach (var parameter in backbone.TrainableParameters())
        {
            parameter.grad = null;
        }

        var plain = Plain(backbone, input);
        plain.square().sum().backward();
        var plainGradients = backbone.TrainableParameters().Select(p => p.grad!).ToList();

        Assert.True(freed.allclose(plain, rtol: 0, atol: 0), "outputs differ");
        Assert.Equal(plainGradients.Count, freedGradients.Count);
        Assert.NotEmpty(freedGradients);
        for (var i = 0; i < plainGradients.Count; i++)
        {
            Assert.True(freedGradients[i].allclose(plainGradients[i], rtol: 1e-6, atol: 1e-7), $"gradient {i} differs");
        }
    }

    private static Tensor Plain(Backbone backbone, Tensor input)
    {
        var children = backbone.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        var x = input;
        foreach (var name in backbone.StageNames)
        {
            x = children[name].forward(x);
        }

        return x;
    }
}
