using TorchSharp.Modules;

namespace ModelGen.Export;

/// <summary>One layer of a generated model's head, as the exporter needs it.</summary>
public abstract record HeadLayer
{
    /// <summary>Flatten the feature map.</summary>
    public static HeadLayer Flatten() => new FlattenLayer();

    /// <summary>Average each channel.</summary>
    public static HeadLayer GlobalAveragePool() => new PoolLayer(Max: false);

    /// <summary>Take each channel's maximum.</summary>
    public static HeadLayer GlobalMaxPool() => new PoolLayer(Max: true);

    /// <summary>A dense layer and its activation ("none" for the last layer: the outputs handle it).</summary>
    public static HeadLayer Dense(Linear linear, string activation) => new DenseLayer(linear, activation);

    /// <summary>Dropout: nothing at inference.</summary>
    public static HeadLayer Dropout() => new DropoutLayer();

    internal sealed record FlattenLayer : HeadLayer;

    internal sealed record PoolLayer(bool Max) : HeadLayer;

    internal sealed record DenseLayer(Linear Linear, string Activation) : HeadLayer;

    internal sealed record DropoutLayer : HeadLayer;
}

/// <summary>What the exported file says about the model: its name, classes and how its output is read.</summary>
/// <param name="Model">The generated class's name.</param>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Binary">True when the last layer has one unit (probabilities are [1 - p, p]).</param>
/// <param name="FinalActivation">The last dense layer's activation in the spec: sigmoid, softmax or none.</param>
/// <param name="Description">A line about the spec, stored in the metadata.</param>
public sealed record OnnxExportInfo(string Model, IReadOnlyList<string> Classes, bool Binary, string FinalActivation, string Description);
