using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's VisionTransformer (torchvision/models/vision_transformer.py) without its <c>heads</c>, built for
/// one input size and cut after an encoder block or the final norm. Module, parameter and buffer names are
/// torchvision's, so its weight files load as they are: <c>class_token</c>, <c>conv_proj</c>,
/// <c>encoder.pos_embedding</c>, <c>encoder.layers.encoder_layer_N.{ln_1,self_attention,ln_2,mlp}</c>,
/// <c>encoder.ln</c>. The output is the tokens [N, 1 + patches, width], the class token first.
/// </summary>
internal sealed class VisionTransformer
{
    private const double NormEpsilon = 1e-6;

    private VisionTransformer(Config config, long gridHeight, long gridWidth, int blocks, bool withNorm)
    {
        ConfigUsed = config;
        GridHeight = gridHeight;
        GridWidth = gridWidth;
        ClassToken = nn.Parameter(zeros(1, 1, config.Width));
        ConvProj = nn.Conv2d(3, config.Width, config.PatchSize, stride: config.PatchSize);
        Encoder = new VitEncoder(1 + (gridHeight * gridWidth), config, blocks, withNorm);
        using (no_grad())
        {
            // torchvision's initialisation: a truncated normal patchify stem with fan-in scaling, zero bias.
            var fanIn = 3L * config.PatchSize * config.PatchSize;
            Initialization.TruncatedNormal(ConvProj.weight!, Math.Sqrt(1.0 / fanIn));
            nn.init.zeros_(ConvProj.bias!);
        }
    }

    /// <summary>The sizes of a ViT variant.</summary>
    /// <param name="PatchSize">Side of a square patch in pixels.</param>
    /// <param name="Layers">Encoder blocks.</param>
    /// <param name="Heads">Attention heads.</param>
    /// <param name="Width">Token width (hidden dimension).</param>
    /// <param name="MlpWidth">Hidden width of each block's MLP.</param>
    public sealed record Config(int PatchSize, int Layers, int Heads, long Width, long MlpWidth);

    /// <summary>The variant's sizes.</summary>
    public Config ConfigUsed { get; }

    /// <summary>Patches along the height.</summary>
    public long GridHeight { get; }

    /// <summary>Patches along the width.</summary>
    public long GridWidth { get; }

    /// <summary>torchvision's <c>class_token</c> [1, 1, width].</summary>
    public Parameter ClassToken { get; }

    /// <summary>torchvision's <c>conv_proj</c>: the patch projection.</summary>
    public Conv2d ConvProj { get; }

    /// <summary>torchvision's <c>encoder</c>.</summary>
    public VitEncoder Encoder { get; }

    /// <summary>The sizes of <paramref name="architecture"/>.</summary>
    /// <exception cref="ArgumentException">It is not a vision transformer.</exception>
    public static Config ConfigOf(Architecture architecture) => architecture switch
    {
        Architecture.VitB16 => new Config(16, 12, 12, 768, 3072),
        Architecture.VitB32 => new Config(32, 12, 12, 768, 3072),
        _ => throw new ArgumentException($"{architecture} is not a vision transformer.", nameof(architecture)),
    };

    /// <summary>
    /// The transformer for <paramref name="height"/> x <paramref name="width"/> images (multiples of the patch size), cut at
    /// <paramref name="cut"/>: null, <c>encoder</c> or <c>encoder.ln</c> for everything; <c>encoder.layers</c> or
    /// <c>encoder.layers.encoder_layer_K</c> to end after a block (without the final norm); <c>encoder.dropout</c> for the
    /// embedded tokens before any block.
    /// </summary>
    /// <exception cref="ArgumentException">The size is not a multiple of the patch size, or the cut names no cut point.</exception>
    public static VisionTransformer Create(Architecture architecture, int height, int width, string? cut)
    {
        var config = ConfigOf(architecture);
        if (height % config.PatchSize != 0 || width % config.PatchSize != 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException($"A {Shared.SpecWords.NameOf(architecture)} splits images into {config.PatchSize}x{config.PatchSize} patches; {height}x{width} is not a multiple of {config.PatchSize}.", nameof(height));
        }

        var (blocks, withNorm) = cut switch
        {
            null or "encoder" or "encoder.ln" => (config.Layers, true),
            "encoder.layers" => (config.Layers, false),
            "encoder.dropout" => (0, false),
            _ when cut.StartsWith("encoder.layers.encoder_layer_", StringComparison.Ordinal)
                && int.TryParse(cut.AsSpan("encoder.layers.encoder_layer_".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < config.Layers
                && cut.EndsWith(index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) => (index + 1, false),
            _ => throw new ArgumentException(
                $"A {Shared.SpecWords.NameOf(architecture)} cannot be cut at '{cut}': cut after an encoder block (encoder.layers.encoder_layer_0 .. encoder_layer_{config.Layers - 1}), at encoder.layers, encoder.ln or encoder.",
                nameof(cut)),
        };

        return new VisionTransformer(config, height / config.PatchSize, width / config.PatchSize, blocks, withNorm);
    }

    /// <summary>Every tensor name of the whole torchvision network (heads included), as its weight files hold them.</summary>
    public static IEnumerable<string> TensorNames(Architecture architecture)
    {
        var config = ConfigOf(architecture);
        yield return "class_token";
        yield return "conv_proj.weight";
        yield return "conv_proj.bias";
        yield return "encoder.pos_embedding";
        for (var i = 0; i < config.Layers; i++)
        {
            var block = $"encoder.layers.encoder_layer_{i}.";
            foreach (var name in new[] { "ln_1.weight", "ln_1.bias", "self_attention.in_proj_weight", "self_attention.in_proj_bias", "self_attention.out_proj.weight", "self_attention.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.0.weight", "mlp.0.bias", "mlp.3.weight", "mlp.3.bias" })
            {
                yield return block + name;
            }
        }

        yield return "encoder.ln.weight";
        yield return "encoder.ln.bias";
        yield return "heads.head.weight";
        yield return "heads.head.bias";
    }

    /// <summary>
    /// The tokens of a batch of images [N, 3, H, W]: patches projected by <c>conv_proj</c> and read row by row, the
    /// class token in front, then the encoder.
    /// </summary>
    public Tensor Forward(Tensor images)
    {
        Tensor output;
        using (var scope = NewDisposeScope())
        {
            var n = images.shape[0];
            var patches = ConvProj.call(images);                    // [N, D, h, w]
            var tokens = patches.flatten(2).transpose(1, 2);        // [N, h*w, D]
            var sequence = cat([ClassToken.expand(n, -1, -1), tokens], 1);
            output = Encoder.call(sequence).MoveToOuterDisposeScope();
        }

        return output;
    }

    /// <summary>
    /// A 224x224 checkpoint's position embedding [1, 1 + s*s, width] resized to this model's patch grid as torchvision's
    /// <c>interpolate_embeddings</c> does: the class token's entry kept, the patch entries laid out as an s x s grid and
    /// resized bicubically (align_corners true, as torchvision calls it); non-square grids are resized to
    /// <see cref="GridHeight"/> x <see cref="GridWidth"/>.
    /// </summary>
    /// <returns>The resized embedding, or null when <paramref name="embedding"/> already has this model's shape.</returns>
    /// <exception cref="Weights.WeightsException">The embedding's patch entries do not form a square grid.</exception>
    public Tensor? ResizePositionEmbedding(Tensor embedding) =>
        ResizePositionEmbedding(embedding, GridHeight, GridWidth);

    /// <inheritdoc cref="ResizePositionEmbedding(Tensor)"/>
    public static Tensor? ResizePositionEmbedding(Tensor embedding, long gridHeight, long gridWidth)
    {
        var expected = 1 + (gridHeight * gridWidth);
        if (embedding.dim() != 3 || embedding.shape[0] != 1)
        {
            throw new Weights.WeightsException($"The position embedding (encoder.pos_embedding) has shape {string.Join("x", embedding.shape)}; a vision transformer's is 1 x tokens x width.");
        }

        if (embedding.shape[1] == expected)
        {
            return null;
        }

        var patches = embedding.shape[1] - 1;
        var side = (long)Math.Round(Math.Sqrt(patches));
        if (side * side != patches)
        {
            throw new Weights.WeightsException($"The position embedding (encoder.pos_embedding) has {patches} patch entries, which do not form a square grid; it cannot be resized to {gridHeight}x{gridWidth} patches.");
        }

        var width = embedding.shape[2];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = embedding.detach().to(float32);
        var token = source.narrow(1, 0, 1);
        var grid = source.narrow(1, 1, patches).permute(0, 2, 1).reshape(1, width, side, side);
        var resized = nn.functional.interpolate(grid, size: [gridHeight, gridWidth], mode: InterpolationMode.Bicubic, align_corners: true);
        var flat = resized.reshape(1, width, gridHeight * gridWidth).permute(0, 2, 1);
        return cat([token, flat], 1).to(embedding.dtype).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's <c>Encoder</c>: position embedding, dropout, the blocks <c>layers</c> and the final norm <c>ln</c> (absent when cut before it).</summary>
internal sealed class VitEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _posEmbedding;
    private readonly Dropout _dropoutLayer;
    // The blocks, run one by one; registered as the chain "layers".
    private readonly nn.Module<Tensor, Tensor>[] _blocks;
    private readonly LayerNorm? _ln;

    public VitEncoder(long tokens, VisionTransformer.Config config, int blocks, bool withNorm)
        : base("Encoder")
    {
        _posEmbedding = nn.Parameter(empty(1, tokens, config.Width));
        using (no_grad())
        {
            nn.init.normal_(_posEmbedding, std: 0.02);
        }

        _dropoutLayer = nn.Dropout(0.0);
        _blocks = Enumerable.Range(0, blocks).Select(_ => (nn.Module<Tensor, Tensor>)new VitEncoderBlock(config)).ToArray();
        register_parameter("pos_embedding", _posEmbedding);
        register_module("dropout", _dropoutLayer);
        register_module("layers", nn.Sequential(_blocks.Select((block, i) => ($"encoder_layer_{i}", block)).ToArray()));
        if (withNorm)
        {
            _ln = nn.LayerNorm(config.Width, eps: 1e-6);
            register_module("ln", _ln);
        }
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _dropoutLayer.call(input + _posEmbedding);
        foreach (var block in _blocks)
        {
            // Each block's output replaces its input, which autograd keeps on its own where backward needs it.
            var next = block.call(x);
            x.Dispose();
            x = next;
        }

        if (_ln is not null)
        {
            x = _ln.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's <c>EncoderBlock</c>: x + attention(ln_1(x)), then x + mlp(ln_2(x)).</summary>
internal sealed class VitEncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _ln1;
    private readonly VitSelfAttention _selfAttention;
    private readonly Dropout _dropoutLayer;
    private readonly LayerNorm _ln2;
    private readonly Sequential _mlp;

    public VitEncoderBlock(VisionTransformer.Config config)
        : base("EncoderBlock")
    {
        _ln1 = nn.LayerNorm(config.Width, eps: 1e-6);
        _selfAttention = new VitSelfAttention(config.Width, config.Heads, dropout: 0.0);
        _dropoutLayer = nn.Dropout(0.0);
        _ln2 = nn.LayerNorm(config.Width, eps: 1e-6);
        var fc1 = nn.Linear(config.Width, config.MlpWidth);
        var fc2 = nn.Linear(config.MlpWidth, config.Width);
        using (no_grad())
        {
            // torchvision's MLPBlock: Xavier-uniform weights, biases ~ N(0, 1e-6).
            foreach (var linear in new[] { fc1, fc2 })
            {
                nn.init.xavier_uniform_(linear.weight!);
                nn.init.normal_(linear.bias!, std: 1e-6);
            }
        }

        _mlp = nn.Sequential(("0", fc1), ("1", nn.GELU()), ("2", nn.Dropout(0.0)), ("3", fc2), ("4", nn.Dropout(0.0)));
        register_module("ln_1", _ln1);
        register_module("self_attention", _selfAttention);
        register_module("dropout", _dropoutLayer);
        register_module("ln_2", _ln2);
        register_module("mlp", _mlp);
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _dropoutLayer.call(_selfAttention.call(_ln1.call(input))) + input;
        var y = _mlp.call(_ln2.call(x));
        return (x + y).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Self-attention with PyTorch's <c>nn.MultiheadAttention</c> parameters (<c>in_proj_weight</c>, <c>in_proj_bias</c>,
/// <c>out_proj</c>) on batch-first tokens [N, L, E], as torchvision's EncoderBlock calls it (query = key = value,
/// no mask). Written here rather than taken from TorchSharp, whose MultiheadAttention is sequence-first.
/// </summary>
internal sealed class VitSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _inProjWeight;
    private readonly Parameter _inProjBias;
    private readonly Linear _outProj;
    private readonly long _heads;
    private readonly double _dropout;

    public VitSelfAttention(long width, long heads, double dropout)
        : base("MultiheadAttention")
    {
        _heads = heads;
        _dropout = dropout;
        _inProjWeight = nn.Parameter(empty(3 * width, width));
        _inProjBias = nn.Parameter(zeros(3 * width));
        _outProj = nn.Linear(width, width);
        using (no_grad())
        {
            // PyTorch's _reset_parameters.
            nn.init.xavier_uniform_(_inProjWeight);
            nn.init.zeros_(_outProj.bias!);
        }

        register_parameter("in_proj_weight", _inProjWeight);
        register_parameter("in_proj_bias", _inProjBias);
        register_module("out_proj", _outProj);
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (n, length, width) = (input.shape[0], input.shape[1], input.shape[2]);
        var headWidth = width / _heads;
        var qkv = nn.functional.linear(input, _inProjWeight, _inProjBias).view(n, length, 3, _heads, headWidth).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);                  // [N, heads, L, head width]
        var scores = (q / Math.Sqrt(headWidth)).matmul(k.transpose(-2, -1));
        var weights = scores.softmax(-1);
        if (training && _dropout > 0)
        {
            weights = nn.functional.dropout(weights, _dropout, training);
        }

        var context = weights.matmul(v).transpose(1, 2).reshape(n, length, width);
        return _outProj.call(context).MoveToOuterDisposeScope();
    }
}
