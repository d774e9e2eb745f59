using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>
/// The blocks of MobileNetV3, EfficientNet and ConvNeXt in training: gradients reach every parameter, and
/// stochastic depth drops whole samples of a branch (scaling the rest) in training and nothing in evaluation.
/// </summary>
public sealed class NetworkBlocksTrainingTests
{
    [Theory]
    [InlineData("mobilenet_v3_small")]
    [InlineData("efficientnet_b0")]
    [InlineData("efficientnet_v2_s")]
    [InlineData("convnext_tiny")]
    public void Training_GivesEveryParameterAGradient(string architecture)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var discarded = new List<nn.Module>();
        var stages = TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded);
        var features = stages.Single().Module;
        try
        {
            features.train();
            // Eight samples (and a fixed seed): stochastic depth, at most 0.2 per block, does not drop a branch for all of them.
            var output = features.forward(randn(8, 3, 64, 64));
            output.square().mean().backward();

            Assert.All(features.named_parameters(), p => Assert.True(p.parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{architecture}: {p.name} has no gradient"));
        }
        finally
        {
            features.Dispose();
            discarded.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public void StochasticDepth_DropsWholeSamplesInTraining_AndNothingInEvaluation()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var depth = new StochasticDepth(0.5);
        var input = ones(64, 3, 4, 4);

        depth.train();
        var output = depth.forward(input);
        var perSample = output.reshape(64, -1);
        var kept = perSample[.., 0];
        Assert.True((perSample == kept.unsqueeze(1)).all().item<bool>(), "a sample is either dropped or kept whole");
        Assert.True(((kept == 0) | (kept == 2)).all().item<bool>(), "kept samples are scaled by 1 / (1 - p)");
        Assert.InRange((kept == 0).sum().item<long>(), 8, 56);

        depth.eval();
        Assert.True((depth.forward(input) == input).all().item<bool>());
    }

    [Fact]
    public void ConvNeXt_LayerScaleAndStochasticDepth_AreTorchvisionsNames()
    {
        using var scope = NewDisposeScope();
        var discarded = new List<nn.Module>();
        var stages = TorchVisionCatalog.ConvolutionalBase(Architecture.ConvNeXtTiny, discarded);
        var features = stages.Single().Module;
        try
        {
            var names = features.named_parameters().Select(p => p.name).Take(6).ToList();
            Assert.Equal(["0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "1.0.layer_scale", "1.0.block.0.weight"], names);
            Assert.Contains(features.named_modules(), m => m.name == "1.2.stochastic_depth" && m.module is StochasticDepth);
        }
        finally
        {
            features.Dispose();
            discarded.ForEach(m => m.Dispose());
        }
    }
}
