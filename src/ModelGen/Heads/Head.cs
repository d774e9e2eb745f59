using ModelGen.Shared;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Heads;

/// <summary>
/// A model's new head, built from the one list of <see cref="HeadLayer"/>s a generated class declares:
/// its modules (registered as <c>dense1</c>, <c>dropout1</c>, ... in order, the state_dict keys under
/// <c>head.</c>), its forward pass and, through <see cref="Layers"/> and <see cref="Dense"/>, its ONNX
/// export. The forward pass gives logits: the last dense layer's activation is applied by
/// <see cref="Output"/>, so the loss can work on logits.
/// </summary>
public sealed class Head : nn.Module<Tensor, Tensor>
{
    private readonly HeadLayer[] _layers;
    private readonly nn.Module<Tensor, Tensor>?[] _modules;

    /// <summary>Builds the head's layers for features of <paramref name="featureShape"/> ([channels, height, width], or [tokens, width] for a transformer).</summary>
    /// <exception cref="ArgumentException">The layers do not form a head: no flat input before a dense layer, or no dense layer last.</exception>
    public Head(long[] featureShape, IReadOnlyList<HeadLayer> layers)
        : base("head")
    {
        ArgumentNullException.ThrowIfNull(featureShape);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0 || layers[^1].Kind != HeadLayerKind.Dense)
        {
            throw new ArgumentException("A head ends with a dense layer that gives the class scores.", nameof(layers));
        }

        _layers = [.. layers];
        _modules = new nn.Module<Tensor, Tensor>?[_layers.Length];
        var names = HeadLayerNames.Of(_layers);
        long? flat = null;
        for (var i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i];
            switch (layer.Kind)
            {
                case HeadLayerKind.Flatten:
                    flat = featureShape.Aggregate(1L, (a, b) => a * b);
                    break;
                case HeadLayerKind.GlobalAveragePool or HeadLayerKind.GlobalMaxPool:
                    flat = featureShape.Length == 3 ? featureShape[0] : throw new ArgumentException($"head[{i}] pools a feature map [channels, height, width], but the features are [{string.Join(", ", featureShape)}]; transformer tokens are read with class_token or token_mean.", nameof(layers));
                    break;
                case HeadLayerKind.ClassToken or HeadLayerKind.TokenMean:
                    flat = featureShape.Length == 2 ? featureShape[1] : throw new ArgumentException($"head[{i}] reads transformer tokens [tokens, width], but the features are [{string.Join(", ", featureShape)}]; a feature map is read with global_avg_pool, global_max_pool or flatten.", nameof(layers));
                    break;
                case HeadLayerKind.Dropout:
                    _modules[i] = nn.Dropout(layer.Rate);
                    break;
                default:
                    var inputs = flat ?? throw new ArgumentException($"head[{i}] is a dense layer without a flat input; put flatten or a global pooling layer before it.", nameof(layers));
                    _modules[i] = nn.Linear(inputs, layer.Units);
                    flat = layer.Units;
                    break;
            }

            if (_modules[i] is { } module)
            {
                register_module(names[i], module);
            }
        }
    }

    /// <summary>The layers as the spec declares them.</summary>
    public IReadOnlyList<HeadLayer> Layers => _layers;

    /// <summary>
    /// Whether the head has weights of its own: it was trained (a run started) or loaded from a saved model.
    /// A new head's weights are random, so its predictions mean nothing.
    /// </summary>
    public bool IsTrained { get; internal set; }

    /// <summary>Whether inference on the untrained head was already reported (once per head).</summary>
    internal bool UntrainedReported { get; set; }

    /// <summary>The activation <see cref="Output"/> applies to the logits: the last dense layer's.</summary>
    public Activation OutputActivation => _layers[^1].Activation;

    /// <summary>The number of logits per image (1 for a binary head).</summary>
    public long Units => _layers[^1].Units;

    /// <summary>The linear module of the dense layer at <paramref name="index"/> (for the ONNX export).</summary>
    /// <exception cref="ArgumentException">That layer is not a dense layer.</exception>
    public Linear Dense(int index) =>
        _modules[index] as Linear ?? throw new ArgumentException($"head[{index}] is {_layers[index].Kind}, not a dense layer.", nameof(index));

    /// <summary>Logits for backbone features [N, C, H, W] (or [N, tokens, width] for a transformer).</summary>
    public override Tensor forward(Tensor features)
    {
        var x = features;
        for (var i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i];
            x = layer.Kind switch
            {
                HeadLayerKind.Flatten => x.flatten(1),
                HeadLayerKind.GlobalAveragePool => x.mean([2, 3]),
                HeadLayerKind.GlobalMaxPool => x.amax([2, 3]),
                HeadLayerKind.ClassToken => x.select(1, 0),
                HeadLayerKind.TokenMean => x.narrow(1, 1, x.shape[1] - 1).mean([1]),
                HeadLayerKind.Dropout => _modules[i]!.call(x),
                _ => i == _layers.Length - 1 ? _modules[i]!.call(x) : Activate(_modules[i]!.call(x), layer.Activation),
            };
        }

        return x;
    }

    /// <summary>The model's output from logits: the last dense layer's activation (sigmoid, softmax or none).</summary>
    public Tensor Output(Tensor logits) => Activate(logits, OutputActivation);

    private static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Sigmoid => sigmoid(x),
        Activation.Tanh => tanh(x),
        Activation.Gelu => nn.functional.gelu(x),
        Activation.Softmax => nn.functional.softmax(x, 1),
        _ => x,
    };
}
