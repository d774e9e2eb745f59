using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace ModelGen;

/// <summary>
/// Run-time choices for a generated model: where it runs, where its weights and cached features live,
/// and the seed. Unset values fall back to the environment (<c>MODELGEN_*</c>) and then to defaults.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>The device to run on; default: <c>MODELGEN_DEVICE</c>, else CUDA when available, else CPU.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>A weights file or folder that overrides the spec's <c>weights</c>; default: <c>MODELGEN_WEIGHTS</c>.</summary>
    public string? WeightsPath { get; init; }

    /// <summary>Where extracted features are cached; default: <c>MODELGEN_CACHE</c>, else <c>~/.cache/modelgen/features</c>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The random seed; overrides the spec's <c>training.seed</c>.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Overrides the backbone's preprocessing (channel order, scale, mean, std): needed for ONNX graphs
    /// trained with other normalisation than torchvision's ImageNet one, which is their default.
    /// </summary>
    public Preprocessing? Preprocessing { get; init; }

    /// <summary>
    /// Test-time augmentation for <c>Evaluate</c> and <c>Predict</c>: the probabilities averaged over flipped and
    /// cropped views of each image (see <see cref="ModelGen.TestTimeAugmentation"/>). Default null: each image is scored
    /// once, as it is read. Training and its validation never use it.
    /// </summary>
    public TestTimeAugmentation? TestTimeAugmentation { get; init; }

    /// <summary>
    /// What runs the inference-only passes: <see cref="ModelGen.InferenceEngine.Torch"/> (LibTorch) or
    /// <see cref="ModelGen.InferenceEngine.OnnxRuntime"/> (the backbone as ModelGen exports it, in ONNX Runtime on the CPU, with
    /// LibTorch's thread count). So far only <c>Extract</c> uses it; Evaluate, Predict and training run in LibTorch. Default:
    /// <c>MODELGEN_INFERENCE_ENGINE</c> (torch, onnxruntime or auto), else torch. <see cref="ModelGen.InferenceEngine.Auto"/>
    /// chooses LibTorch until its per-machine measurement exists. A backbone without an ONNX form (transformers) or a model
    /// on a GPU runs in LibTorch whatever is asked; event <see cref="LogEvents.InferenceEngineChosen"/> says which ran.
    /// </summary>
    public InferenceEngine? InferenceEngine { get; init; }

    /// <summary>
    /// Where the model's warnings and events go: skipped images (path and reason), weights tensors that
    /// were ignored, damaged feature cache entries, cache hits and misses (debug), and in training the
    /// epoch lines, resuming and early stopping (unless <see cref="TrainOptions.Logger"/> overrides it for
    /// one call). Default: <see cref="NullLogger.Instance"/>, so a model writes nothing unless the caller
    /// chooses where its messages go (for example a console logger from Microsoft.Extensions.Logging.Console).
    /// The event ids are in <see cref="LogEvents"/>. Setting null means the null logger.
    /// </summary>
    public ILogger Logger
    {
        get => _logger;
        init => _logger = value ?? NullLogger.Instance;
    }

    private readonly ILogger _logger = NullLogger.Instance;
}
