using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>
/// LayerNormalization (opset 17) over the last axis, the form ConvNeXt and transformers are exported in:
/// a torch LayerNorm with the node's scale and bias, trainable like any other layer.
/// </summary>
internal sealed class LayerNormOp : OnnxOp
{
    private readonly LayerNorm _norm;
    private readonly long _axis;

    public LayerNormOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        _axis = attributes.Int("axis", -1);
        if (attributes.Int("stash_type", 1) != 1)
        {
            throw new OnnxImportException($"The LayerNormalization node '{Name}' computes in another type (stash_type {attributes.Int("stash_type", 1)}); ModelGen imports float computation (stash_type 1).");
        }

        if (node.Output.Skip(1).Any(o => o.Length > 0))
        {
            throw new OnnxImportException($"The LayerNormalization node '{Name}' outputs its mean or inverse deviation too; ModelGen imports the normalized output only.");
        }

        using var scale = context.Initializer(node, 1, "scale");
        using var bias = context.OptionalInitializer(node, 2, "bias");
        if (scale.dim() != 1 || (bias is not null && !bias.shape.SequenceEqual(scale.shape)))
        {
            throw new OnnxImportException(
                $"The LayerNormalization node '{Name}' has a scale of shape {OnnxLimits.Format(scale.shape)}{(bias is null ? "" : $" and a bias of shape {OnnxLimits.Format(bias.shape)}")}; ModelGen imports normalization over the last axis, with one scale (and bias) per element of it.");
        }

        _norm = nn.LayerNorm(scale.shape[0], eps: attributes.Float("epsilon", 1e-5f), bias: bias is not null);
        if (context.LoadWeights)
        {
            using (no_grad())
            {
                _norm.weight!.copy_(scale);
                _norm.bias?.copy_(bias!);
            }
        }
    }

    /// <summary>The layer norm, with its current weights.</summary>
    public LayerNorm Norm => _norm;

    public override nn.Module Module => _norm;

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        if (_axis != -1 && _axis != x.dim() - 1)
        {
            throw new OnnxImportException($"The LayerNormalization node '{Name}' normalizes from axis {_axis} of its {OnnxLimits.Format(x.shape)} input; ModelGen imports normalization over the last axis only.");
        }

        return _norm.forward(x);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
