#if MODELGEN_RUNTIME
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Heads;
using ModelGen.Training;
#else
using ModelGen.Generators.Vocabulary;
#endif

namespace ModelGen.Shared;

/// <summary>
/// Every closed set of the spec, word by word, and the architecture table: compiled into the generator
/// (which parses spec text with it) and into the runtime (which names values in messages with it), so
/// the two can never disagree about a word. The vocabulary's types are public in the runtime, in the
/// namespaces users see; the generator compiles its own internal copy into one namespace of its own
/// (ModelGen.Generators.Vocabulary), so a project that sees both never finds a name twice.
/// </summary>
internal static class SpecWords
{
    public static readonly Vocabulary<HeadLayerKind> HeadLayers = new(
        Word.Of("flatten", HeadLayerKind.Flatten),
        Word.Of("global_avg_pool", HeadLayerKind.GlobalAveragePool),
        Word.Of("global_max_pool", HeadLayerKind.GlobalMaxPool),
        Word.Of("dense", HeadLayerKind.Dense),
        Word.Of("dropout", HeadLayerKind.Dropout),
        Word.Of("class_token", HeadLayerKind.ClassToken),
        Word.Of("token_mean", HeadLayerKind.TokenMean));

    public static readonly Vocabulary<Activation> Activations = new(
        Word.Of("relu", Activation.Relu),
        Word.Of("sigmoid", Activation.Sigmoid),
        Word.Of("softmax", Activation.Softmax),
        Word.Of("tanh", Activation.Tanh),
        Word.Of("gelu", Activation.Gelu),
        Word.Of("none", Activation.None),
        Word.Of("linear", Activation.None));

    public static readonly Vocabulary<LossKind> Losses = new(
        Word.Of("binary_crossentropy", LossKind.BinaryCrossEntropy),
        Word.Of("categorical_crossentropy", LossKind.CategoricalCrossEntropy),
        Word.Of("sparse_categorical_crossentropy", LossKind.CategoricalCrossEntropy),
        Word.Of("mse", LossKind.MeanSquaredError),
        Word.Of("huber", LossKind.Huber));

    public static readonly Vocabulary<TaskKind> Tasks = new(
        Word.Of("classification", TaskKind.Classification),
        Word.Of("multi_label", TaskKind.MultiLabel),
        Word.Of("regression", TaskKind.Regression));

    public static readonly Vocabulary<Metric> Metrics = new(
        Word.Of("accuracy", Metric.Accuracy),
        Word.Of("precision", Metric.Precision),
        Word.Of("recall", Metric.Recall));

    public static readonly Vocabulary<OptimizerKind> Optimizers = new(
        Word.Of("sgd", OptimizerKind.Sgd),
        Word.Of("adam", OptimizerKind.Adam),
        Word.Of("adamw", OptimizerKind.AdamW),
        Word.Of("rmsprop", OptimizerKind.RmsProp));

    public static readonly Vocabulary<ScheduleKind> Schedules = new(
        Word.Of("step", ScheduleKind.Step),
        Word.Of("cosine", ScheduleKind.Cosine),
        Word.Of("plateau", ScheduleKind.Plateau),
        Word.Of("constant", ScheduleKind.Constant),
        Word.Of("one_cycle", ScheduleKind.OneCycle));

    public static readonly Vocabulary<EarlyStoppingMonitor> Monitors = new(
        Word.Of("val_loss", EarlyStoppingMonitor.ValLoss),
        Word.Of("val_accuracy", EarlyStoppingMonitor.ValAccuracy),
        Word.Of("loss", EarlyStoppingMonitor.Loss),
        Word.Of("accuracy", EarlyStoppingMonitor.Accuracy));

    public static readonly Vocabulary<FillMode> FillModes = new(
        Word.Of("nearest", FillMode.Nearest),
        Word.Of("constant", FillMode.Constant),
        Word.Of("reflect", FillMode.Reflect),
        Word.Of("wrap", FillMode.Wrap));

    public static readonly Vocabulary<BatchNormMode> BatchNormModes = new(
        Word.Of("frozen", BatchNormMode.Frozen),
        Word.Of("trainable", BatchNormMode.Trainable),
        Word.Of("inference", BatchNormMode.Inference));

    /// <summary>The words of <c>freeze</c> that are not mappings.</summary>
    public static readonly Vocabulary<FreezeKind> FreezeWords = new(
        Word.Of("all", FreezeKind.All),
        Word.Of("none", FreezeKind.None));

    /// <summary>The words of <c>backbone.weights</c> that are not file names.</summary>
    public static readonly Vocabulary<WeightsKind> Weights = new(
        Word.Of("imagenet", WeightsKind.ImageNet),
        Word.Of("none", WeightsKind.None));

    /// <summary>Every architecture by its spec name (the torchvision name), in catalog order, ONNX last.</summary>
    public static readonly Vocabulary<Architecture> Architectures = new(
        Word.Of("vgg11", Architecture.Vgg11),
        Word.Of("vgg11_bn", Architecture.Vgg11Bn),
        Word.Of("vgg13", Architecture.Vgg13),
        Word.Of("vgg13_bn", Architecture.Vgg13Bn),
        Word.Of("vgg16", Architecture.Vgg16),
        Word.Of("vgg16_bn", Architecture.Vgg16Bn),
        Word.Of("vgg19", Architecture.Vgg19),
        Word.Of("vgg19_bn", Architecture.Vgg19Bn),
        Word.Of("resnet18", Architecture.ResNet18),
        Word.Of("resnet34", Architecture.ResNet34),
        Word.Of("resnet50", Architecture.ResNet50),
        Word.Of("resnet101", Architecture.ResNet101),
        Word.Of("resnet152", Architecture.ResNet152),
        Word.Of("resnext50_32x4d", Architecture.ResNeXt50_32x4d),
        Word.Of("resnext101_32x8d", Architecture.ResNeXt101_32x8d),
        Word.Of("wide_resnet50_2", Architecture.WideResNet50_2),
        Word.Of("wide_resnet101_2", Architecture.WideResNet101_2),
        Word.Of("alexnet", Architecture.AlexNet),
        Word.Of("mobilenet_v2", Architecture.MobileNetV2),
        Word.Of("mobilenet_v3_small", Architecture.MobileNetV3Small),
        Word.Of("mobilenet_v3_large", Architecture.MobileNetV3Large),
        Word.Of("efficientnet_b0", Architecture.EfficientNetB0),
        Word.Of("efficientnet_b1", Architecture.EfficientNetB1),
        Word.Of("efficientnet_b2", Architecture.EfficientNetB2),
        Word.Of("efficientnet_b3", Architecture.EfficientNetB3),
        Word.Of("efficientnet_b4", Architecture.EfficientNetB4),
        Word.Of("efficientnet_v2_s", Architecture.EfficientNetV2S),
        Word.Of("convnext_tiny", Architecture.ConvNeXtTiny),
        Word.Of("convnext_small", Architecture.ConvNeXtSmall),
        Word.Of("convnext_base", Architecture.ConvNeXtBase),
        Word.Of("resnet18_mlnet", Architecture.ResNet18Mlnet),
        Word.Of("densenet121", Architecture.DenseNet121),
        Word.Of("densenet169", Architecture.DenseNet169),
        Word.Of("regnet_y_400mf", Architecture.RegNetY400MF),
        Word.Of("regnet_y_800mf", Architecture.RegNetY800MF),
        Word.Of("regnet_y_1_6gf", Architecture.RegNetY1_6GF),
        Word.Of("regnet_y_3_2gf", Architecture.RegNetY3_2GF),
        Word.Of("googlenet", Architecture.GoogLeNet),
        Word.Of("inception_v3", Architecture.InceptionV3),
        Word.Of("vit_b_16", Architecture.VitB16),
        Word.Of("vit_b_32", Architecture.VitB32),
        Word.Of("swin_t", Architecture.SwinT),
        Word.Of("onnx", Architecture.Onnx));

    /// <summary>The family an architecture is built, cut and named by.</summary>
    public static ArchitectureFamily FamilyOf(Architecture architecture) => architecture switch
    {
        <= Architecture.Vgg19Bn => ArchitectureFamily.Vgg,
        <= Architecture.WideResNet101_2 => ArchitectureFamily.ResNet,
        Architecture.AlexNet => ArchitectureFamily.AlexNet,
        Architecture.MobileNetV2 => ArchitectureFamily.MobileNetV2,
        Architecture.ResNet18Mlnet => ArchitectureFamily.ResNet18Mlnet,
        Architecture.MobileNetV3Small or Architecture.MobileNetV3Large => ArchitectureFamily.MobileNetV3,
        Architecture.EfficientNetB0 or Architecture.EfficientNetB1 or Architecture.EfficientNetB2 or Architecture.EfficientNetB3
            or Architecture.EfficientNetB4 or Architecture.EfficientNetV2S => ArchitectureFamily.EfficientNet,
        Architecture.ConvNeXtTiny or Architecture.ConvNeXtSmall or Architecture.ConvNeXtBase => ArchitectureFamily.ConvNeXt,
        Architecture.DenseNet121 or Architecture.DenseNet169 => ArchitectureFamily.DenseNet,
        Architecture.RegNetY400MF or Architecture.RegNetY800MF or Architecture.RegNetY1_6GF or Architecture.RegNetY3_2GF => ArchitectureFamily.RegNet,
        Architecture.GoogLeNet => ArchitectureFamily.GoogLeNet,
        Architecture.InceptionV3 => ArchitectureFamily.InceptionV3,
        Architecture.VitB16 or Architecture.VitB32 => ArchitectureFamily.VisionTransformer,
        Architecture.SwinT => ArchitectureFamily.Swin,
        _ => ArchitectureFamily.Onnx,
    };

    /// <summary>The spec (and torchvision) name of an architecture: "vgg16", "resnet18_mlnet".</summary>
    public static string NameOf(Architecture architecture) => Architectures.WordOf(architecture);
}
