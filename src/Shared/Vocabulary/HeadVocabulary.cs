#if MODELGEN_RUNTIME
namespace ModelGen.Heads;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>The kinds of layer a head can have (spec key: <c>head</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum HeadLayerKind
{
    /// <summary>The feature map flattened to one vector per image.</summary>
    Flatten,

    /// <summary>The mean of each channel over the feature map.</summary>
    GlobalAveragePool,

    /// <summary>The maximum of each channel over the feature map.</summary>
    GlobalMaxPool,

    /// <summary>A fully connected layer with an activation.</summary>
    Dense,

    /// <summary>Dropout (training only).</summary>
    Dropout,

    /// <summary>The class token of a transformer's token features (token 0): [tokens, width] to [width].</summary>
    ClassToken,

    /// <summary>The mean of a transformer's patch tokens (the class token left out, as timm's global_pool='avg'): [tokens, width] to [width].</summary>
    TokenMean,
}

/// <summary>The activation after a dense layer (spec key: <c>activation</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum Activation
{
    /// <summary>No activation: the layer's output as it is.</summary>
    None,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,

    /// <summary>Softmax over the units.</summary>
    Softmax,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Gaussian error linear unit.</summary>
    Gelu,
}

/// <summary>
/// One layer of a head as the spec declares it: the kind, and for dense layers the units and activation,
/// for dropout the rate. The generated class lists its head once as these; the runtime builds the
/// modules, the forward pass and the ONNX export from that one list.
/// </summary>
/// <param name="Kind">What the layer does.</param>
/// <param name="Units">Output units of a dense layer; 0 for the others.</param>
/// <param name="Activation">The activation after a dense layer.</param>
/// <param name="Rate">The dropout rate.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record HeadLayer(HeadLayerKind Kind, long Units = 0, Activation Activation = Activation.None, double Rate = 0)
{
    /// <summary>Flattens the feature map.</summary>
    public static HeadLayer Flatten() => new(HeadLayerKind.Flatten);

    /// <summary>Averages each channel over the feature map.</summary>
    public static HeadLayer GlobalAveragePool() => new(HeadLayerKind.GlobalAveragePool);

    /// <summary>Takes each channel's maximum over the feature map.</summary>
    public static HeadLayer GlobalMaxPool() => new(HeadLayerKind.GlobalMaxPool);

    /// <summary>A dense layer of <paramref name="units"/> units.</summary>
    public static HeadLayer Dense(long units, Activation activation = Activation.None) => new(HeadLayerKind.Dense, units, activation);

    /// <summary>Dropout with <paramref name="rate"/>.</summary>
    public static HeadLayer Dropout(double rate) => new(HeadLayerKind.Dropout, Rate: rate);

    /// <summary>Takes the class token of token features.</summary>
    public static HeadLayer ClassToken() => new(HeadLayerKind.ClassToken);

    /// <summary>Averages the patch tokens of token features (the class token left out).</summary>
    public static HeadLayer TokenMean() => new(HeadLayerKind.TokenMean);

    /// <summary>Whether the layer turns the backbone's features into one vector per image (flatten, a pooling or a token layer).</summary>
    internal bool MakesFlat => Kind is HeadLayerKind.Flatten or HeadLayerKind.GlobalAveragePool or HeadLayerKind.GlobalMaxPool or HeadLayerKind.ClassToken or HeadLayerKind.TokenMean;
}

/// <summary>The module names of a head's layers: they are the state_dict keys under <c>head.</c>.</summary>
internal static class HeadLayerNames
{
    /// <summary>
    /// One name per layer, the kind in camelCase and a count per kind: <c>flatten1</c>, <c>dense1</c>,
    /// <c>dropout1</c>, <c>dense2</c>. The generator's summary and the runtime's modules both use these.
    /// </summary>
    public static string[] Of(System.Collections.Generic.IReadOnlyList<HeadLayer> layers)
    {
        var names = new string[layers.Count];
        var counts = new int[7];
        for (var i = 0; i < layers.Count; i++)
        {
            var kind = layers[i].Kind;
            counts[(int)kind]++;
            names[i] = Stem(kind) + counts[(int)kind].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return names;
    }

    private static string Stem(HeadLayerKind kind) => kind switch
    {
        HeadLayerKind.Flatten => "flatten",
        HeadLayerKind.GlobalAveragePool => "globalAvgPool",
        HeadLayerKind.GlobalMaxPool => "globalMaxPool",
        HeadLayerKind.Dense => "dense",
        HeadLayerKind.ClassToken => "classToken",
        HeadLayerKind.TokenMean => "tokenMean",
        _ => "dropout",
    };
}
