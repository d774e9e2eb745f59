using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>
/// The catalog's torchvision architectures at run time, built with TorchVision: each model's
/// convolutional base as named stages (<c>features</c> for VGG, AlexNet and MobileNetV2; the stem and
/// <c>layer1</c>..<c>layer4</c> for the ResNet family). Classifiers are dropped.
/// </summary>
public static class TorchVisionCatalog
{
    private static readonly Dictionary<string, Func<nn.Module>> Builders = new(StringComparer.Ordinal)
    {
        ["vgg11"] = () => torchvision.models.vgg11(),
        ["vgg11_bn"] = () => torchvision.models.vgg11_bn(),
        ["vgg13"] = () => torchvision.models.vgg13(),
        ["vgg13_bn"] = () => torchvision.models.vgg13_bn(),
        ["vgg16"] = () => torchvision.models.vgg16(),
        ["vgg16_bn"] = () => torchvision.models.vgg16_bn(),
        ["vgg19"] = () => torchvision.models.vgg19(),
        ["vgg19_bn"] = () => torchvision.models.vgg19_bn(),
        ["resnet18"] = () => torchvision.models.resnet18(),
        ["resnet34"] = () => torchvision.models.resnet34(),
        ["resnet50"] = () => torchvision.models.resnet50(),
        ["resnet101"] = () => torchvision.models.resnet101(),
        ["resnet152"] = () => torchvision.models.resnet152(),
        ["resnext50_32x4d"] = () => torchvision.models.resnext50_32x4d(),
        // TorchVision 0.107's resnext101_32x8d() builds ResNeXt50's 3-4-6-3 stages; torchvision's (and its
        // weights') ResNeXt101 has 3-4-23-3, so it is built from the ResNet101 layout with 32x8d groups.
        ["resnext101_32x8d"] = () => TorchSharp.Modules.ResNet.ResNet101(1000, groups: 32, width_per_group: 8),
        ["wide_resnet50_2"] = () => torchvision.models.wide_resnet50_2(),
        ["wide_resnet101_2"] = () => torchvision.models.wide_resnet101_2(),
        ["alexnet"] = () => torchvision.models.alexnet(),
        ["mobilenet_v2"] = () => torchvision.models.mobilenet_v2(),
    };

    private static readonly string[] ResNetStages = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];

    /// <summary>The architectures built from TorchVision.</summary>
    public static IReadOnlyCollection<string> Architectures => Builders.Keys;

    /// <summary>Whether <paramref name="architecture"/> is built from TorchVision.</summary>
    public static bool Contains(string architecture) => Builders.ContainsKey(architecture);

    /// <summary>
    /// The convolutional base of <paramref name="architecture"/> as named stages, freshly initialised;
    /// <paramref name="discarded"/> receives the classifier parts for the caller to dispose, and
    /// <paramref name="tensorNames"/>, when given, the names of every tensor of the whole network (its
    /// weight files' names, classifier included).
    /// </summary>
    public static List<(string Name, nn.Module<Tensor, Tensor> Module)> ConvolutionalBase(string architecture, List<nn.Module> discarded, ISet<string>? tensorNames = null)
    {
        var model = Builders[architecture]();
        tensorNames?.UnionWith(model.state_dict().Keys);
        var children = model.named_children().ToDictionary(c => c.name, c => c.module);
        var keep = architecture.StartsWith("resnet", StringComparison.Ordinal) || architecture.StartsWith("resnext", StringComparison.Ordinal) || architecture.StartsWith("wide_resnet", StringComparison.Ordinal)
            ? ResNetStages
            : ["features"];
        var stages = keep.Select(name => (name, (nn.Module<Tensor, Tensor>)children[name])).ToList();
        discarded.AddRange(children.Where(c => !keep.Contains(c.Key)).Select(c => c.Value));
        return stages;
    }
}
