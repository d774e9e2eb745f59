using ModelGen.Shared;

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
    public static BackboneLayout Build(FeatureMap input)
    {
        var layout = new LayoutBuilder("resnet18_mlnet", input);
        layout.Conv("conv1", 64, kernel: 7, stride: 2, padding: (3, 3, 2, 2), bias: false);
        layout.BatchNorm("bn1");
        layout.Activation("relu", "ReLU");
        layout.MaxPool("maxpool", kernel: 3, stride: 2, padding: (1, 1, 0, 0));
        for (var i = 0; i < ResNet18MlnetNodes.Stem.Length; i++)
        {
            Synonyms(layout, ResNet18MlnetNodes.StemNames[i], ResNet18MlnetNodes.Stem[i]);
        }

        var block = 0;
        long inPlanes = 64;
        for (var stage = 0; stage < 4; stage++)
        {
            var planes = 64L << stage;
            var stageName = $"layer{stage + 1}";
            layout.Open(stageName, "Sequential", isChain: true);
            for (var b = 0; b < ResNet18MlnetNodes.BlocksPerStage[stage]; b++, block++)
            {
                var stride = stage > 0 && b == 0 ? 2 : 1;
                var padding = stride == 2 ? (1, 1, 0, 0) : (1, 1, 1, 1);
                var name = $"{stageName}.{b}";
                var nodes = ResNet18MlnetNodes.Blocks[block];
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

        layout.Stages("layer1", "layer2", "layer3", "layer4");
        return layout.Build(defaultCut: "layer4");
    }

    /// <summary>The node name and its output name (<c>X_Output_0</c>) both stand for the layer.</summary>
    private static void Synonyms(LayoutBuilder layout, string layer, string node)
    {
        layout.Synonym(node, layer);
        layout.Synonym(node + "_Output_0", layer);
    }
}
