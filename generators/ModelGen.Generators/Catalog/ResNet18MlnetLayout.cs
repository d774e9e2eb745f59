namespace ModelGen.Generators.Catalog;

/// <summary>
/// <c>resnet18_mlnet</c>: the ImageNet ResNet18 that ships in the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 (ResNet18.onnx, exported by CNTK 2.6). It is not torchvision's
/// ResNet18: its last stage has three blocks (2-2-2-3), and its stem convolution, stem pool and stride-2
/// 3x3 convolutions pad only at the top and left (CNTK's "same" padding), so with an odd size entering a
/// stride-2 stage the main branch and the 1x1 shortcut disagree by one pixel. Layers get torchvision-style
/// names (conv1, bn1, relu, maxpool, layerN.K.convM ...); the ONNX node and output names are synonyms.
/// </summary>
internal static class ResNet18MlnetLayout
{
    // ONNX node names per block, in graph order: conv1, bn1, relu1, conv2, bn2, add, relu out [, downsample conv, bn].
    private static readonly string[][] Blocks =
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

    private static readonly int[] BlocksPerStage = [2, 2, 2, 3];

    public static BackboneLayout Build(FeatureMap input)
    {
        var layout = new LayoutBuilder("resnet18_mlnet", input);
        layout.Conv("conv1", 64, kernel: 7, stride: 2, padding: (3, 3, 2, 2), bias: false);
        layout.BatchNorm("bn1");
        layout.Activation("relu", "ReLU");
        layout.MaxPool("maxpool", kernel: 3, stride: 2, padding: (1, 1, 0, 0));
        Synonyms(layout, "conv1", "Convolution249");
        Synonyms(layout, "bn1", "BatchNormalization251");
        Synonyms(layout, "relu", "ReLU253");
        Synonyms(layout, "maxpool", "Pooling255");

        var block = 0;
        long inPlanes = 64;
        for (var stage = 0; stage < 4; stage++)
        {
            var planes = 64L << stage;
            var stageName = $"layer{stage + 1}";
            layout.Open(stageName, "Sequential", isChain: true);
            for (var b = 0; b < BlocksPerStage[stage]; b++, block++)
            {
                var stride = stage > 0 && b == 0 ? 2 : 1;
                var padding = stride == 2 ? (1, 1, 0, 0) : (1, 1, 1, 1);
                var name = $"{stageName}.{b}";
                var nodes = Blocks[block];
                layout.Open(b.ToString(), "BasicBlock", isChain: false);
                layout.Conv("conv1", planes, kernel: 3, stride: stride, padding: padding, bias: false);
                layout.BatchNorm("bn1");
                layout.Conv("conv2", planes, kernel: 3, stride: 1, padding: (1, 1, 1, 1), bias: false);
                layout.BatchNorm("bn2");
                if (b == 0 && (stride != 1 || inPlanes != planes))
                {
                    layout.BeginShortcut();
                    layout.Open("downsample", "Sequential", isChain: true);
                    layout.Conv("0", planes, kernel: 1, stride: stride, padding: (0, 0, 0, 0), bias: false);
                    layout.BatchNorm("1");
                    layout.Close();
                    Synonyms(layout, name + ".downsample.0", nodes[7]);
                    Synonyms(layout, name + ".downsample.1", nodes[8]);
                }

                layout.Close(residual: true);
                Synonyms(layout, name + ".conv1", nodes[0]);
                Synonyms(layout, name + ".bn1", nodes[1]);
                Synonyms(layout, name + ".bn1", nodes[2]);
                Synonyms(layout, name + ".conv2", nodes[3]);
                Synonyms(layout, name + ".bn2", nodes[4]);
                Synonyms(layout, name + ".bn2", nodes[5]);
                Synonyms(layout, name, nodes[6]);
                inPlanes = planes;
            }

            layout.Close();
        }

        return layout.Build(defaultCut: "layer4");
    }

    /// <summary>The node name and its output name (<c>X_Output_0</c>) both stand for the layer.</summary>
    private static void Synonyms(LayoutBuilder layout, string layer, string node)
    {
        layout.Synonym(node, layer);
        layout.Synonym(node + "_Output_0", layer);
    }
}
