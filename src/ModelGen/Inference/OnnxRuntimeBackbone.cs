using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using ModelGen.Backbones;
using ModelGen.Export;
using static TorchSharp.torch;

namespace ModelGen.Inference;

/// <summary>
/// A backbone as ONNX Runtime runs it: ModelGen's exporter writes the cut network with the weights it has now, and an
/// <see cref="InferenceSession"/> is made from those bytes, which are dropped right after (the session holds its own
/// copy of the weights). Inputs and outputs are LibTorch tensors, passed to ONNX Runtime without copies.
/// </summary>
internal sealed class OnnxRuntimeBackbone : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>Exports <paramref name="backbone"/> and opens a session with <paramref name="threads"/> intra-op threads, inter-op 1, every graph optimisation.</summary>
    /// <exception cref="NotSupportedException">The backbone has no ONNX form.</exception>
    public OnnxRuntimeBackbone(Backbone backbone, int threads)
    {
        WeightsHash = backbone.StateHash();
        Threads = threads;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(OnnxExporter.BuildBackbone(backbone).ToByteArray(), options);
    }

    /// <summary>
    /// ONNX Runtime's session for <paramref name="backbone"/>'s current weights and <paramref name="threads"/>: made on
    /// first use, made again when the weights changed since (fine-tuning, loading), disposed with the backbone.
    /// </summary>
    /// <exception cref="NotSupportedException">The backbone has no ONNX form.</exception>
    public static OnnxRuntimeBackbone For(Backbone backbone, int threads) =>
        backbone.Attached(
            session => session.Threads == threads && session.WeightsHash == backbone.StateHash(),
            () => new OnnxRuntimeBackbone(backbone, threads));

    /// <summary>The backbone's <see cref="Backbone.StateHash"/> when it was exported: the session is stale once that changes.</summary>
    public string WeightsHash { get; }

    /// <summary>The intra-op thread count the session was made with.</summary>
    public int Threads { get; }

    /// <summary>The features of a batch of network-ready images (float32, on the CPU), in a new tensor.</summary>
    /// <remarks>The input is copied into ONNX Runtime's buffer and the output out of its own: two copies of a few MB per batch, against a network pass of a few hundred ms.</remarks>
    public Tensor Run(Tensor input)
    {
        using var contiguous = input.to(ScalarType.Float32).contiguous();
        using var inputValue = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, contiguous.shape);
        contiguous.bytes.CopyTo(MemoryMarshal.AsBytes(inputValue.GetTensorMutableDataAsSpan<float>()));
        using var run = new RunOptions();
        using var outputs = _session.Run(run, [OnnxExporter.InputName(includePreprocessing: false)], [inputValue], [OnnxExporter.FeaturesName]);
        var output = empty(outputs[0].GetTensorTypeAndShape().Shape);
        MemoryMarshal.AsBytes(outputs[0].GetTensorDataAsSpan<float>()).CopyTo(output.bytes);
        return output;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
