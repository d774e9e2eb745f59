using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The optimizers of the spec (<c>optimizer.type</c>), over the head's parameters and the backbone's
/// trainable ones. With <c>backbone_lr</c>, the backbone gets its own learning rate (discriminative
/// fine-tuning); frozen parameters are never given to the optimizer.
/// </summary>
internal static class Optimizers
{
    /// <summary>The optimizer <paramref name="settings"/> describe, over the head's and the backbone's trainable parameters.</summary>
    public static optim.Optimizer Create(OptimizerSettings settings, IEnumerable<Parameter> head, IEnumerable<Parameter>? backbone = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        backbone ??= [];
        var s = settings;
        return s.Kind switch
        {
            OptimizerKind.Sgd => Sgd(head, backbone, s.LearningRate, s.BackboneLearningRate, s.Momentum, s.WeightDecay, s.Nesterov),
            OptimizerKind.Adam => Adam(head, backbone, s.LearningRate, s.BackboneLearningRate, s.WeightDecay),
            OptimizerKind.AdamW => AdamW(head, backbone, s.LearningRate, s.BackboneLearningRate, s.WeightDecay),
            OptimizerKind.RmsProp => RmsProp(head, backbone, s.LearningRate, s.BackboneLearningRate, s.Momentum, s.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), s.Kind, "Unknown optimizer."),
        };
    }

    /// <summary>SGD with momentum (and Nesterov momentum when asked).</summary>
    public static optim.Optimizer Sgd(IEnumerable<Parameter> head, IEnumerable<Parameter> backbone, double lr, double? backboneLr = null, double momentum = 0, double weightDecay = 0, bool nesterov = false)
    {
        var (headList, backboneList) = Split(head, backbone);
        if (!Discriminative(backboneList, lr, backboneLr))
        {
            return optim.SGD(headList.Concat(backboneList), lr, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov);
        }

        return optim.SGD(
            [
                new SGD.ParamGroup(headList, new SGD.Options { LearningRate = lr, momentum = momentum, weight_decay = weightDecay, nesterov = nesterov }),
                new SGD.ParamGroup(backboneList, new SGD.Options { LearningRate = backboneLr!.Value, momentum = momentum, weight_decay = weightDecay, nesterov = nesterov }),
            ],
            lr,
            momentum: momentum,
            weight_decay: weightDecay,
            nesterov: nesterov);
    }

    /// <summary>Adam.</summary>
    public static optim.Optimizer Adam(IEnumerable<Parameter> head, IEnumerable<Parameter> backbone, double lr, double? backboneLr = null, double weightDecay = 0)
    {
        var (headList, backboneList) = Split(head, backbone);
        if (!Discriminative(backboneList, lr, backboneLr))
        {
            return optim.Adam(headList.Concat(backboneList), lr, weight_decay: weightDecay);
        }

        return optim.Adam(
            [
                new TorchSharp.Modules.Adam.ParamGroup(headList, new TorchSharp.Modules.Adam.Options { LearningRate = lr, weight_decay = weightDecay }),
                new TorchSharp.Modules.Adam.ParamGroup(backboneList, new TorchSharp.Modules.Adam.Options { LearningRate = backboneLr!.Value, weight_decay = weightDecay }),
            ],
            lr,
            weight_decay: weightDecay);
    }

    /// <summary>AdamW (decoupled weight decay).</summary>
    public static optim.Optimizer AdamW(IEnumerable<Parameter> head, IEnumerable<Parameter> backbone, double lr, double? backboneLr = null, double weightDecay = 0.01)
    {
        var (headList, backboneList) = Split(head, backbone);
        if (!Discriminative(backboneList, lr, backboneLr))
        {
            return optim.AdamW(headList.Concat(backboneList), lr, weight_decay: weightDecay);
        }

        return optim.AdamW(
            [
                new TorchSharp.Modules.AdamW.ParamGroup(headList, new TorchSharp.Modules.AdamW.Options { LearningRate = lr, weight_decay = weightDecay }),
                new TorchSharp.Modules.AdamW.ParamGroup(backboneList, new TorchSharp.Modules.AdamW.Options { LearningRate = backboneLr!.Value, weight_decay = weightDecay }),
            ],
            lr,
            weight_decay: weightDecay);
    }

    /// <summary>RMSprop with Keras' defaults (rho 0.9, epsilon 1e-7), as the classic transfer-learning recipe uses it.</summary>
    public static optim.Optimizer RmsProp(IEnumerable<Parameter> head, IEnumerable<Parameter> backbone, double lr, double? backboneLr = null, double momentum = 0, double weightDecay = 0)
    {
        var (headList, backboneList) = Split(head, backbone);
        if (!Discriminative(backboneList, lr, backboneLr))
        {
            return optim.RMSProp(headList.Concat(backboneList), lr, alpha: 0.9, eps: 1e-7, weight_decay: weightDecay, momentum: momentum);
        }

        return optim.RMSProp(
            [
                new RMSProp.ParamGroup(headList, lr, 1e-7, 0.9, weightDecay, momentum, false),
                new RMSProp.ParamGroup(backboneList, backboneLr!.Value, 1e-7, 0.9, weightDecay, momentum, false),
            ],
            lr,
            alpha: 0.9,
            eps: 1e-7,
            weight_decay: weightDecay,
            momentum: momentum);
    }

    /// <summary>The learning rate of the first parameter group (the head's).</summary>
    public static double LearningRate(optim.Optimizer optimizer) =>
        optimizer.ParamGroups.FirstOrDefault()?.LearningRate ?? 0;

    private static (List<Parameter> Head, List<Parameter> Backbone) Split(IEnumerable<Parameter> head, IEnumerable<Parameter> backbone) =>
        (head.ToList(), backbone.Where(p => p.requires_grad).ToList());

    private static bool Discriminative(List<Parameter> backbone, double lr, double? backboneLr) =>
        backbone.Count > 0 && backboneLr is { } rate && rate != lr;
}
