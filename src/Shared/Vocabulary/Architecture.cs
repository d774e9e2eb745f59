#if MODELGEN_RUNTIME
namespace ModelGen.Backbones;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>The backbones of the catalog (spec key: <c>backbone.architecture</c>), and ONNX graphs.</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum Architecture
{
    /// <summary>torchvision vgg11.</summary>
    Vgg11,

    /// <summary>torchvision vgg11_bn.</summary>
    Vgg11Bn,

    /// <summary>torchvision vgg13.</summary>
    Vgg13,

    /// <summary>torchvision vgg13_bn.</summary>
    Vgg13Bn,

    /// <summary>torchvision vgg16.</summary>
    Vgg16,

    /// <summary>torchvision vgg16_bn.</summary>
    Vgg16Bn,

    /// <summary>torchvision vgg19.</summary>
    Vgg19,

    /// <summary>torchvision vgg19_bn.</summary>
    Vgg19Bn,

    /// <summary>torchvision resnet18.</summary>
    ResNet18,

    /// <summary>torchvision resnet34.</summary>
    ResNet34,

    /// <summary>torchvision resnet50.</summary>
    ResNet50,

    /// <summary>torchvision resnet101.</summary>
    ResNet101,

    /// <summary>torchvision resnet152.</summary>
    ResNet152,

    /// <summary>torchvision resnext50_32x4d.</summary>
    ResNeXt50_32x4d,

    /// <summary>torchvision resnext101_32x8d.</summary>
    ResNeXt101_32x8d,

    /// <summary>torchvision wide_resnet50_2.</summary>
    WideResNet50_2,

    /// <summary>torchvision wide_resnet101_2.</summary>
    WideResNet101_2,

    /// <summary>torchvision alexnet.</summary>
    AlexNet,

    /// <summary>torchvision mobilenet_v2.</summary>
    MobileNetV2,

    /// <summary>The ImageNet ResNet18 that ships with ML.NET (an ONNX graph exported by CNTK).</summary>
    ResNet18Mlnet,

    /// <summary>An ONNX graph named by <c>backbone.path</c>.</summary>
    Onnx,

    /// <summary>torchvision mobilenet_v3_small.</summary>
    MobileNetV3Small,

    /// <summary>torchvision mobilenet_v3_large.</summary>
    MobileNetV3Large,

    /// <summary>torchvision efficientnet_b0.</summary>
    EfficientNetB0,

    /// <summary>torchvision efficientnet_b1.</summary>
    EfficientNetB1,

    /// <summary>torchvision efficientnet_b2.</summary>
    EfficientNetB2,

    /// <summary>torchvision efficientnet_b3.</summary>
    EfficientNetB3,

    /// <summary>torchvision efficientnet_b4.</summary>
    EfficientNetB4,

    /// <summary>torchvision efficientnet_v2_s.</summary>
    EfficientNetV2S,

    /// <summary>torchvision convnext_tiny.</summary>
    ConvNeXtTiny,

    /// <summary>torchvision convnext_small.</summary>
    ConvNeXtSmall,

    /// <summary>torchvision convnext_base.</summary>
    ConvNeXtBase,
    /// <summary>torchvision densenet121.</summary>
    DenseNet121,

    /// <summary>torchvision densenet169.</summary>
    DenseNet169,

    /// <summary>torchvision regnet_y_400mf.</summary>
    RegNetY400MF,

    /// <summary>torchvision regnet_y_800mf.</summary>
    RegNetY800MF,

    /// <summary>torchvision regnet_y_1_6gf.</summary>
    RegNetY1_6GF,

    /// <summary>torchvision regnet_y_3_2gf.</summary>
    RegNetY3_2GF,

    /// <summary>torchvision googlenet.</summary>
    GoogLeNet,

    /// <summary>torchvision inception_v3.</summary>
    InceptionV3,
    /// <summary>torchvision vit_b_16: a ViT-Base with 16x16 patches.</summary>
    VitB16,

    /// <summary>torchvision vit_b_32: a ViT-Base with 32x32 patches.</summary>
    VitB32,

    /// <summary>torchvision swin_t: a Swin Transformer (tiny), shifted-window attention in four stages.</summary>
    SwinT,
}

/// <summary>Families of backbones that are built, cut and named alike.</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum ArchitectureFamily
{
    /// <summary>VGG: one <c>features</c> chain of convolutions and poolings.</summary>
    Vgg,

    /// <summary>ResNet, ResNeXt and Wide ResNet: a stem and four stages of residual blocks.</summary>
    ResNet,

    /// <summary>AlexNet: one <c>features</c> chain.</summary>
    AlexNet,

    /// <summary>MobileNetV2: one <c>features</c> chain of inverted residual blocks.</summary>
    MobileNetV2,

    /// <summary>ML.NET's ResNet18, imported from its ONNX graph.</summary>
    ResNet18Mlnet,

    /// <summary>Any ONNX graph.</summary>
    Onnx,

    /// <summary>MobileNetV3: one <c>features</c> chain of inverted residual blocks with squeeze-excitation and hardswish.</summary>
    MobileNetV3,

    /// <summary>EfficientNet and EfficientNetV2: one <c>features</c> chain of stem, MBConv (and FusedMBConv) stages and a 1x1 convolution.</summary>
    EfficientNet,

    /// <summary>ConvNeXt: one <c>features</c> chain of stem, four stages of CNBlocks and the downsampling layers between them.</summary>
    ConvNeXt,
    /// <summary>DenseNet: one <c>features</c> chain whose dense blocks concatenate each layer's output to its input.</summary>
    DenseNet,

    /// <summary>RegNet: a <c>stem</c> and <c>trunk_output</c>, four stages of residual bottleneck blocks with squeeze-excitation.</summary>
    RegNet,

    /// <summary>GoogLeNet: top-level convolutions, poolings and Inception blocks of parallel branches.</summary>
    GoogLeNet,

    /// <summary>Inception v3: top-level convolutions, poolings and Inception blocks of parallel branches.</summary>
    InceptionV3,
    /// <summary>Vision Transformer: patches, a class token and a chain of encoder blocks; its features are tokens.</summary>
    VisionTransformer,

    /// <summary>Swin Transformer: <c>features</c>, a patch embedding and four stages of windowed attention with patch merging between them, then <c>norm</c>.</summary>
    Swin,
}

/// <summary>The weights a backbone starts from (spec key: <c>backbone.weights</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum WeightsKind
{
    /// <summary>The architecture's ImageNet weights.</summary>
    ImageNet,

    /// <summary>Fresh, randomly initialised weights.</summary>
    None,

    /// <summary>A weights file (.onnx, .safetensors, .pt, .pth, .dat).</summary>
    File,

    /// <summary>A weights file downloaded from an http(s) address (.safetensors, .pth, .pt), checked against <c>backbone.weights_sha256</c>.</summary>
    Url,

    /// <summary>A weights file downloaded from the Hugging Face Hub (<c>hf://owner/repo/file[@revision]</c>).</summary>
    HuggingFace,
}
