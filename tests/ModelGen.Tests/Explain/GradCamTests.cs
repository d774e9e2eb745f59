using ModelGen.Backbones;
using ModelGen.Heads;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Explain;

/// <summary>
/// Grad-CAM on tiny random models: the heatmap's size and range, the class it explains, and a model left exactly as it
/// was (gradients, requires_grad, training modes); a backbone that gives no feature maps is refused by name.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GradCamTests
{
    private static readonly string Image = Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order(StringComparer.Ordinal).First();

    [Fact]
    public void Heatmap_HasTheInputSize_IsNonNegative_AndPeaksAtOne()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 3 });

        using var explanation = model.Explain(Image);

        Assert.Equal([32, 32], explanation.Heatmap.shape);
        Assert.Equal(ScalarType.Float32, explanation.Heatmap.dtype);
        Assert.Equal(TorchSharp.DeviceType.CPU, explanation.Heatmap.device_type);
        Assert.Equal((32, 32), (explanation.Height, explanation.Width));
        var values = explanation.Heatmap.data<float>().ToArray();
        Assert.All(values, v => Assert.True(float.IsFinite(v) && v >= 0f && v <= 1f, $"heatmap value {v}"));
        Assert.True(values.Max() == 1f || values.All(v => v == 0f), $"the heatmap's maximum is {values.Max()}, neither 1 nor an all-zero map");
        Assert.Equal(values[(5 * 32) + 7], explanation[5, 7]);
        Assert.True(values.Distinct().Count() > 10, "a heatmap of 8x8 feature maps scaled up bilinearly has many values");
    }

    [Fact]
    public void WithoutALabel_ExplainsThePredictedClass_AndWithOne_ThatClass()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 3 });
        var prediction = model.Predict(Image);

        using var predicted = model.Explain(Image);
        var other = (TinySeededLabel)((prediction.Index + 1) % TinySeeded.ClassCount);
        using var chosen = model.Explain(Image, other);
        using var stream = File.OpenRead(Image);
        using var fromStream = model.Explain(stream, other);

        Assert.Equal(prediction.Index, predicted.Index);
        Assert.Equal(prediction.Label, predicted.Label);
        Assert.Equal(prediction.Index, predicted.PredictedIndex);
        Assert.Equal(prediction.Confidence, predicted.Probability, 5);
        Assert.Equal(other, chosen.Label);
        Assert.Equal((int)other, chosen.Index);
        Assert.Equal(TinySeeded.DeclaredClasses[(int)other], chosen.ClassName);
        Assert.Equal(prediction.Index, chosen.PredictedIndex);
        Assert.Equal(prediction.Probabilities[(int)other], chosen.Probability, 5);
        Assert.False(predicted.Heatmap.Identical(chosen.Heatmap), "another class weighs the feature maps otherwise");
        Assert.True(chosen.Heatmap.Identical(fromStream.Heatmap));
    }

    [Fact]
    public void ALabelOutsideTheClasses_IsRefused()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Explain(Image, (TinySeededLabel)10));

        Assert.Contains("0 to 9", error.Message);
    }

    [Fact]
    public void WithoutDeclaredLabels_TheClassIsChosenByName()
    {
        using var model = TinyValidationSplit.Create(new ModelOptions { Device = CPU });

        using var explanation = model.Explain(Image, "CLASS3");

        Assert.Equal(3, explanation.Index);
        Assert.Equal("class3", explanation.Label);
        var error = Assert.Throws<ArgumentException>(() => model.Explain(Image, "sandal"));
        Assert.Contains("class0, class1", error.Message);
    }

    [Fact]
    public void TheModel_IsLeftAsItWas_GradientsRequiresGradAndModes()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });
        model.Backbone.Freeze(FreezeBoundary.TrainableFrom("layer1")); // some parameters train, some do not
        GiveTheHeadAGradient(model);
        var before = model.named_parameters().ToDictionary(p => p.name, p => (p.parameter.requires_grad, Grad: p.parameter.grad?.clone()));
        model.train();
        var modes = Modes(model);

        // Through the runtime, the modes are put back as they were (the generated Explain then leaves the model in eval).
        using (ModelRuntime.Explain(model.Backbone, model.Head, ModelRuntime.DecodePixels(Image, model.Backbone.Input), null, model.Classes, i => i, CPU))
        {
        }

        Assert.Equal(modes, Modes(model));
        using (model.Explain(Image))
        {
        }

        Assert.All(Modes(model), m => Assert.False(m.Training, $"{m.Name} is left in training mode"));
        foreach (var (name, parameter) in model.named_parameters())
        {
            var (requiresGrad, grad) = before[name];
            Assert.Equal(requiresGrad, parameter.requires_grad);
            if (grad is null)
            {
                Assert.True(parameter.grad is null, $"{name} has a gradient after Explain");
            }
            else
            {
                Assert.True(grad.Identical(parameter.grad!), $"{name}'s gradient changed");
            }
        }

        Assert.Contains(before, p => p.Value.Grad is not null);
        Assert.Contains(before, p => p.Value.Grad is null && !p.Value.requires_grad);
    }

    [Fact]
    public void InsideInferenceMode_TheGradientIsStillTaken()
    {
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 3 });
        using var expected = model.Explain(Image);

        using var inference = inference_mode();
        using var explained = model.Explain(Image);

        Assert.True(expected.Heatmap.Identical(explained.Heatmap));
    }

    [Fact]
    public void ABackboneWithoutFeatureMaps_IsRefusedWithItsShape()
    {
        var definition = new BackboneDefinition(Architecture.Onnx, WeightsKind.None, "Flatten_3", [3, 8, 8], [192], 3, BatchNormMode.Frozen, "");
        using var backbone = new Backbone(definition, [("flatten", (nn.Module<Tensor, Tensor>)nn.Flatten())], Preprocessing.ImageNet);
        using var head = new Head([192], [HeadLayer.Flatten(), HeadLayer.Dense(2)]);
        var pixels = new float[3 * 8 * 8];

        var error = Assert.Throws<InvalidOperationException>(() => ModelRuntime.Explain(backbone, head, pixels, null, ["a", "b"], i => i, CPU));

        Assert.Contains("[1, 192]", error.Message);
        Assert.Contains("Flatten_3", error.Message);
        Assert.Contains("[N, C, h, w]", error.Message);
    }

    [Fact]
    public void Overlay_IsAPngOfTheInputSize_ColouredByTheHeatmap()
    {
        using var temp = new TempFolder();
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU, Seed = 3 });
        using var explanation = model.Explain(Image);

        explanation.SavePng(temp["out/bag.png"]);
        using var overlay = SixLabors.ImageSharp.Image.Load<Rgb24>(temp["out/bag.png"]);
        using var mapOnly = SixLabors.ImageSharp.Image.Load<Rgb24>(explanation.ToPng(opacity: 1f));
        using var imageOnly = SixLabors.ImageSharp.Image.Load<Rgb24>(explanation.ToPng(opacity: 0f));
        using var original = SixLabors.ImageSharp.Image.Load<L8>(Image);

        Assert.Equal((32, 32), (overlay.Width, overlay.Height));
        var (row, column) = ArgMax(explanation);
        Assert.Equal(new Rgb24(128, 0, 0), mapOnly[column, row]); // jet's top: dark red
        Assert.True(imageOnly[column, row] is { R: var r, G: var g, B: var b } && r == g && g == b, "a gray image stays gray without the map");
        Assert.Throws<ArgumentOutOfRangeException>(() => explanation.ToPng(opacity: 1.5f));
        Assert.Equal(28, original.Width); // the overlay is at the model's input size, not the file's
    }

    private static (int Row, int Column) ArgMax(ModelGen.Explain.Explanation explanation)
    {
        var best = (Row: 0, Column: 0);
        for (var r = 0; r < explanation.Height; r++)
        {
            for (var c = 0; c < explanation.Width; c++)
            {
                if (explanation[r, c] > explanation[best.Row, best.Column])
                {
                    best = (r, c);
                }
            }
        }

        return best;
    }

    private static void GiveTheHeadAGradient(TinySeeded model)
    {
        using var scope = NewDisposeScope();
        model.eval();
        var logits = model.ForwardLogits(rand(2, 3, 32, 32));
        logits.sum().backward();
    }

    private static List<(string Name, bool Training)> Modes(nn.Module model) =>
        [.. model.named_modules().Select(m => (m.name, m.module.training)).Prepend(("(model)", model.training))];
}
