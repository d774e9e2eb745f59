namespace ModelGen;

/// <summary>
/// What runs the inference-only passes (so far: <c>Extract</c>'s backbone): LibTorch, or ONNX Runtime on the backbone
/// as ModelGen's exporter writes it. Set with <see cref="ModelOptions.InferenceEngine"/> or <c>MODELGEN_INFERENCE_ENGINE</c>.
/// </summary>
public enum InferenceEngine
{
    /// <summary>LibTorch (TorchSharp), the default.</summary>
    Torch,

    /// <summary>ONNX Runtime on the CPU: the cut backbone exported once per weights, run in an <c>InferenceSession</c>.</summary>
    OnnxRuntime,

    /// <summary>The faster of the two on this machine; until that measurement exists, the same as <see cref="Torch"/>.</summary>
    Auto,
}
