using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using static TorchSharp.torch;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Runs ONNX models with ONNX Runtime (the reference) and compares with TorchSharp results.</summary>
internal static class OnnxReference
{
    /// <summary>Runs <paramref name="model"/> on one input and returns every output by name.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(ModelProto model, string input, float[] values, long[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var tensor = new DenseTensor<float>(values, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
        return results.ToDictionary(r => r.Name, r =>
        {
            var output = r.AsTensor<float>();
            return (output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
        });
    }

    /// <summary>
    /// A copy of <paramref name="model"/> that computes only <paramref name="output"/>: later nodes and their
    /// weights removed (in IR 3 weights are graph inputs too), batch and image size left free.
    /// </summary>
    public static ModelProto Prune(ModelProto model, string output)
    {
        var copy = model.Clone();
        var needed = new HashSet<string> { output };
        foreach (var node in copy.Graph.Node.Reverse())
        {
            if (node.Output.Any(needed.Contains))
            {
                needed.UnionWith(node.Input);
            }
        }

        var keep = copy.Graph.Node.Where(n => n.Output.Any(needed.Contains)).ToList();
        copy.Graph.Node.Clear();
        copy.Graph.Node.AddRange(keep);
        var used = keep.SelectMany(n => n.Input).ToHashSet();
        var initializers = copy.Graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        copy.Graph.Initializer.Clear();
        copy.Graph.Initializer.AddRange(initializers);
        var inputs = copy.Graph.Input.Where(i => used.Contains(i.Name)).ToList();
        copy.Graph.Input.Clear();
        copy.Graph.Input.AddRange(inputs);
        copy.Graph.Output.Clear();
        copy.Graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var dims = copy.Graph.Input[0].Type.TensorType.Shape.Dim;
        dims[0].DimParam = "batch";
        dims[2].DimParam = "height";
        dims[3].DimParam = "width";
        return copy;
    }

    /// <summary>max |actual - expected| / max |expected| (0 when both are zero).</summary>
    public static double RelativeError(TorchSharp.torch.Tensor actual, float[] expected)
    {
        using var cpu = actual.detach().cpu().contiguous();
        var values = cpu.data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        var scale = expected.Max(v => Math.Abs(v));
        var error = values.Zip(expected, (a, e) => Math.Abs(a - e)).DefaultIfEmpty(0).Max();
        return scale == 0 ? error : error / scale;
    }
}
