using System.Collections.Generic;

namespace ModelGen.Shared;

/// <summary>
/// The layout of <c>resnet18_mlnet</c> (ResNet18.onnx from Microsoft.ML.DnnImageFeaturizer.ResNet18, by
/// CNTK 2.6) as ONNX node names, shared by the generator's catalog and the runtime importer so that the
/// two name the same layers the same way.
/// </summary>
internal static class ResNet18MlnetNodes
{
    /// <summary>The stem: conv1, bn1, relu, maxpool.</summary>
    public static readonly string[] Stem = ["Convolution249", "BatchNormalization251", "ReLU253", "Pooling255"];

    /// <summary>The names the stem's nodes get.</summary>
    public static readonly string[] StemNames = ["conv1", "bn1", "relu", "maxpool"];

    /// <summary>Residual blocks per stage (layer1..layer4): 2-2-2-3, not torchvision's 2-2-2-2.</summary>
    public static readonly int[] BlocksPerStage = [2, 2, 2, 3];

    /// <summary>
    /// Each block's nodes: conv1, bn1, relu, conv2, bn2, add, relu (the block's output), and for the first
    /// block of stages 2-4 the shortcut's convolution and batch norm.
    /// </summary>
    public static readonly string[][] Blocks =
    [
        ["Convolution257", "BatchNormalization259", "ReLU261", "Convolution263", "BatchNormalization265", "Plus267", "ReLU269"],
        ["Convolution271", "BatchNormalization273", "ReLU275", "Convolution277", "BatchNormalization279", "Plus281", "ReLU283"],
        ["Convolution285", "BatchNormalization287", "ReLU289", "Convolution291", "BatchNormalization293", "Plus299", "ReLU301", "Convolution295", "BatchNormalization297"],
        ["Convolution303", "BatchNormalization305", "ReLU307", "Convolution309", "BatchNormalization311", "Plus313", "ReLU315"],
        ["Convolution317", "BatchNormalization319", "ReLU321", "Convolution323", "BatchNormalization325", "Plus331", "ReLU333", "Convolution327", "BatchNormalization329"],
        ["Convolution335", "BatchNormalization337", "ReLU339", "Convolution341", "BatchNormalization343", "Plus345", "ReLU347"],
        ["Convolution349", "BatchNormalization351", "ReLU353", "Convolution355", "BatchNormalization357", "Plus363", "ReLU365", "Convolution359", "BatchNormalization361"],
        ["Convolution367", "BatchNormalization369", "ReLU371", "Convolution373", "BatchNormalization375", "Plus377", "ReLU379"],
        ["Convolution381", "BatchNormalization383", "ReLU385", "Convolution387", "BatchNormalization389", "Plus391", "ReLU393"],
    ];

    /// <summary>The graph's final node (7x7 average pooling), after the convolutional base.</summary>
    public const string FinalPool = "Pooling395";

    /// <summary>The block names in order: layer1.0, layer1.1, layer2.0, ...</summary>
    public static IEnumerable<string> BlockNames()
    {
        for (var stage = 0; stage < BlocksPerStage.Length; stage++)
        {
            for (var block = 0; block < BlocksPerStage[stage]; block++)
            {
                yield return $"layer{stage + 1}.{block}";
            }
        }
    }
}
