using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Backbones;
using Onnx;
using Tensor = TorchSharp.torch.Tensor;
using static TorchSharp.torch;

namespace ModelGen.Tests.Export;

/// <summary>What the export tests share: random catalog backbones, ONNX Runtime runs and the 1e-4 comparison.</summary>
internal static class ExportCheck
{
    /// <summary>The largest relative error allowed between ONNX Runtime and TorchSharp.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// A catalog backbone with random weights and random batch-norm statistics (so that the export of every
    /// statistic is checked), cut at <paramref name="cutAt"/> (null: the whole convolutional base).
    /// </summary>
    public static Backbone CatalogBackbone(string architecture, int size, string? cutAt = null)
    {
        manual_seed(1);
        var discarded = new List<nn.Module>();
        var stages = ModuleCutter.Cut(TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded), cutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        var backbone = new Backbone(new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, cutAt, [3, size, size], [0, 0, 0], 3, BatchNormMode.Frozen, ""), stages, Preprocessing.ImageNet);
        using (no_grad())
        {
            foreach (var (name, buffer) in backbone.named_buffers().Where(b => b.name.EndsWith("running_var", StringComparison.Ordinal) || b.name.EndsWith("running_mean", StringComparison.Ordinal)))
            {
                buffer.copy_(name.EndsWith("var", StringComparison.Ordinal) ? rand_like(buffer) + 0.5 : randn_like(buffer) * 0.1);
            }
        }

        backbone.eval();
        return backbone;
    }

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime on one input and returns every output by name.</summary>
    public static Dictionary<string, Tensor> Run(ModelProto model, string inputName, Tensor input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var cpu = input.contiguous();
        var dense = new DenseTensor<float>(cpu.data<float>().ToArray(), cpu.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, dense)]);
        return results.ToDictionary(r => r.Name, r =>
        {
            var value = r.AsTensor<float>();
            return tensor(value.ToArray(), value.Dimensions.ToArray().Select(d => (long)d).ToArray());
        });
    }

    /// <summary>Same shape, and max |actual - expected| / max |expected| at most <see cref="Tolerance"/>.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var scale = expected.abs().max().item<float>();
        var error = (expected - actual).abs().max().item<float>() / Math.Max(scale, 1e-12f);
        Assert.True(error <= Tolerance, $"{what}: relative error {error:E2}");
    }
}
