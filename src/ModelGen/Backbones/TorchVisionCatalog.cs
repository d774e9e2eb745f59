using TorchSharp;
using Networks = ModelGen.Backbones.Architectures;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>
/// The catalog's torchvision architectures at run time, built with TorchVision or, where it has no model
/// with torchvision's names, with this library's modules (Architectures/): each model's convolutional base as
/// named stages (<c>features</c> for VGG, AlexNet, MobileNet, EfficientNet and ConvNeXt; <c>features</c> and the final <c>relu</c>
/// for DenseNet; the stem and <c>layer1</c>..<c>layer4</c> for the ResNet family; <c>stem</c> and
/// <c>trunk_output</c> for RegNet; <c>transform_input</c> and the top-level modules up to the last Inception
/// block for GoogLeNet and Inception v3). Classifiers and auxiliary classifiers are dropped.
/// </summary>
internal static class TorchVisionCatalog
{
    private static readonly Dictionary<Architecture, Func<nn.Module>> Builders = new()
    {
        [Architecture.Vgg11] = () => torchvision.models.vgg11(),
        [Architecture.Vgg11Bn] = () => torchvision.models.vgg11_bn(),
        [Architecture.Vgg13] = () => torchvision.models.vgg13(),
        [Architecture.Vgg13Bn] = () => torchvision.models.vgg13_bn(),
        [Architecture.Vgg16] = () => torchvision.models.vgg16(),
        [Architecture.Vgg16Bn] = () => torchvision.models.vgg16_bn(),
        [Architecture.Vgg19] = () => torchvision.models.vgg19(),
        [Architecture.Vgg19Bn] = () => torchvision.models.vgg19_bn(),
        [Architecture.ResNet18] = () => torchvision.models.resnet18(),
        [Architecture.ResNet34] = () => torchvision.models.resnet34(),
        [Architecture.ResNet50] = () => torchvision.models.resnet50(),
        [Architecture.ResNet101] = () => torchvision.models.resnet101(),
        [Architecture.ResNet152] = () => torchvision.models.resnet152(),
        [Architecture.ResNeXt50_32x4d] = () => torchvision.models.resnext50_32x4d(),
        // TorchVision 0.107's resnext101_32x8d() builds ResNeXt50's 3-4-6-3 stages; torchvision's (and its
        // weights') ResNeXt101 has 3-4-23-3, so it is built from the ResNet101 layout with 32x8d groups.
        [Architecture.ResNeXt101_32x8d] = () => TorchSharp.Modules.ResNet.ResNet101(1000, groups: 32, width_per_group: 8),
        [Architecture.WideResNet50_2] = () => torchvision.models.wide_resnet50_2(),
        [Architecture.WideResNet101_2] = () => torchvision.models.wide_resnet101_2(),
        [Architecture.AlexNet] = () => torchvision.models.alexnet(),
        [Architecture.MobileNetV2] = () => torchvision.models.mobilenet_v2(),

        // Written here with torchvision's module names (TorchVision 0.107 has none of these models):
        // Architectures/.
        [Architecture.MobileNetV3Small] = Networks.MobileNetV3.Small1000,
        [Architecture.MobileNetV3Large] = Networks.MobileNetV3.Large1000,
        [Architecture.EfficientNetB0] = () => Networks.EfficientNet.Build("efficientnet_b0"),
        [Architecture.EfficientNetB1] = () => Networks.EfficientNet.Build("efficientnet_b1"),
        [Architecture.EfficientNetB2] = () => Networks.EfficientNet.Build("efficientnet_b2"),
        [Architecture.EfficientNetB3] = () => Networks.EfficientNet.Build("efficientnet_b3"),
        [Architecture.EfficientNetB4] = () => Networks.EfficientNet.Build("efficientnet_b4"),
        [Architecture.EfficientNetV2S] = () => Networks.EfficientNet.Build("efficientnet_v2_s"),
        [Architecture.ConvNeXtTiny] = () => Networks.ConvNeXt.Build("convnext_tiny"),
        [Architecture.ConvNeXtSmall] = () => Networks.ConvNeXt.Build("convnext_small"),
        [Architecture.ConvNeXtBase] = () => Networks.ConvNeXt.Build("convnext_base"),
        [Architecture.DenseNet121] = () => Networks.DenseNet.Build("densenet121"),
        [Architecture.DenseNet169] = () => Networks.DenseNet.Build("densenet169"),
        [Architecture.RegNetY400MF] = () => Networks.RegNet.Build("regnet_y_400mf"),
        [Architecture.RegNetY800MF] = () => Networks.RegNet.Build("regnet_y_800mf"),
        [Architecture.RegNetY1_6GF] = () => Networks.RegNet.Build("regnet_y_1_6gf"),
        [Architecture.RegNetY3_2GF] = () => Networks.RegNet.Build("regnet_y_3_2gf"),
        [Architecture.GoogLeNet] = Networks.Inception.GoogLeNet,
        [Architecture.InceptionV3] = Networks.Inception.InceptionV3,
    };

    private static readonly string[] ResNetStages = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];

    /// <summary>The spec names of the architectures built from TorchVision.</summary>
    public static IReadOnlyCollection<string> Architectures { get; } = Builders.Keys.Select(Shared.SpecWords.NameOf).ToList();

    /// <summary>Whether <paramref name="architecture"/> is built from TorchVision.</summary>
    public static bool Contains(Architecture architecture) => Builders.ContainsKey(architecture);

    /// <summary>
    /// The convolutional base of <paramref name="architecture"/> as named stages, freshly initialised;
    /// <paramref name="discarded"/> receives the classifier parts for the caller to dispose, and
    /// <paramref name="tensorNames"/>, when given, the names of every tensor of the whole network (its
    /// weight files' names, classifier included).
    /// </summary>
    public static List<(string Name, nn.Module<Tensor, Tensor> Module)> ConvolutionalBase(Architecture architecture, List<nn.Module> discarded, ISet<string>? tensorNames = null)
    {
        var model = Builders[architecture]();
        tensorNames?.UnionWith(model.state_dict().Keys);
        var children = model.named_children().ToDictionary(c => c.name, c => c.module);
        var family = Shared.SpecWords.FamilyOf(architecture);
        var keep = family switch
        {
            ArchitectureFamily.ResNet => ResNetStages,
            ArchitectureFamily.RegNet => ["stem", "trunk_output"],
            ArchitectureFamily.GoogLeNet => Networks.Inception.GoogLeNetStages,
            ArchitectureFamily.InceptionV3 => Networks.Inception.InceptionV3Stages,
            _ => ["features"],
        };
        var stages = new List<(string Name, nn.Module<Tensor, Tensor> Module)>();

        // GoogLeNet and Inception v3: the rescaling their pretrained weights expect runs first (transform_input).
        if (family is ArchitectureFamily.GoogLeNet or ArchitectureFamily.InceptionV3)
        {
            stages.Add(("transform_input", Networks.Inception.TransformInput()));
        }

        stages.AddRange(keep.Select(name => (name, (nn.Module<Tensor, Tensor>)children[name])));

        // DenseNet: torchvision's forward applies a ReLU to the features before pooling; the base ends with it.
        if (family == ArchitectureFamily.DenseNet)
        {
            stages.Add(("relu", nn.ReLU()));
        }

        discarded.AddRange(children.Where(c => !keep.Contains(c.Key)).Select(c => c.Value));
        return stages;
    }
}
