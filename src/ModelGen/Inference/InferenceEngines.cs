using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace ModelGen.Inference;

/// <summary>Resolves <see cref="ModelOptions.InferenceEngine"/> and <c>MODELGEN_INFERENCE_ENGINE</c> to the engine that runs a pass.</summary>
internal static partial class InferenceEngines
{
    /// <summary>The variable read when <see cref="ModelOptions.InferenceEngine"/> is not set.</summary>
    public const string EnvironmentVariable = "MODELGEN_INFERENCE_ENGINE";

    /// <summary>The engine asked for: the option, else the variable (torch, onnxruntime, auto), else <see cref="InferenceEngine.Torch"/>.</summary>
    /// <exception cref="ArgumentException">The variable names no engine.</exception>
    public static InferenceEngine Requested(ModelOptions options) => Requested(options, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary><see cref="Requested(ModelOptions)"/> with <paramref name="text"/> as the variable's value.</summary>
    internal static InferenceEngine Requested(ModelOptions options, string? text)
    {
        if (options.InferenceEngine is { } engine)
        {
            return engine;
        }

        return string.IsNullOrWhiteSpace(text) ? InferenceEngine.Torch : text.Trim().ToLowerInvariant() switch
        {
            "torch" => InferenceEngine.Torch,
            "onnxruntime" => InferenceEngine.OnnxRuntime,
            "auto" => InferenceEngine.Auto,
            _ => throw new ArgumentException($"{EnvironmentVariable}='{text}' names no inference engine; use torch, onnxruntime or auto.", nameof(options)),
        };
    }

    /// <summary>
    /// Whether ONNX Runtime runs <paramref name="pass"/> of <paramref name="backbone"/> on <paramref name="device"/>; logs the
    /// engine that runs it and why (event <see cref="LogEvents.InferenceEngineChosen"/>).
    /// </summary>
    public static bool UseOnnxRuntime(ModelOptions options, Backbones.Backbone backbone, Device device, string pass)
    {
        var requested = Requested(options);
        var (onnx, reason) = requested switch
        {
            InferenceEngine.Torch => (false, "asked for"),
            InferenceEngine.Auto => (false, "auto has no measurement yet and chooses LibTorch"),
            _ when device.type != TorchSharp.DeviceType.CPU => (false, $"onnxruntime asked for, but the model runs on {device.type} and ModelGen runs ONNX Runtime on the CPU only"),
            _ when Export.OnnxExporter.CanExport(backbone) is { } why => (false, $"onnxruntime asked for, but {why}"),
            _ => (true, "asked for"),
        };
        EngineChosen(options.Logger, pass, onnx ? "onnxruntime" : "torch", reason);
        return onnx;
    }

    /// <summary>
    /// The forward pass that runs <paramref name="backbone"/> for <paramref name="pass"/>: ONNX Runtime's session of its
    /// exported form when <see cref="UseOnnxRuntime"/> says so (logged), else null (LibTorch, the backbone itself).
    /// </summary>
    public static Func<Tensor, Tensor>? Forward(ModelOptions options, Backbones.Backbone backbone, Device device, string pass) =>
        UseOnnxRuntime(options, backbone, device, pass) ? OnnxRuntimeBackbone.For(backbone, get_num_threads()).Run : null;

    [LoggerMessage(EventId = LogEvents.InferenceEngineChosen, EventName = nameof(LogEvents.InferenceEngineChosen), Level = LogLevel.Information,
        Message = "{Pass} runs on {Engine} ({Reason})")]
    private static partial void EngineChosen(ILogger logger, string pass, string engine, string reason);
}
