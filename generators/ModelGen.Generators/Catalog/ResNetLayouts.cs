namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's ResNet family without its classifier: the stem (<c>conv1</c>, <c>bn1</c>, <c>relu</c>,
/// <c>maxpool</c>) and four stages <c>layer1</c>..<c>layer4</c> of basic or bottleneck blocks (v1.5:
/// the stride sits on the 3x3 convolution). ResNeXt and Wide ResNet change the bottleneck width.
/// </summary>
internal static class ResNetLayouts
{
    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var (blocks, bottleneck, groups, widthPerGroup) = architecture switch
        {
            "resnet18" => (new[] { 2, 2, 2, 2 }, false, 1, 64),
            "resnet34" => (new[] { 3, 4, 6, 3 }, false, 1, 64),
            "resnet50" => (new[] { 3, 4, 6, 3 }, true, 1, 64),
            "resnet101" => (new[] { 3, 4, 23, 3 }, true, 1, 64),
            "resnet152" => (new[] { 3, 8, 36, 3 }, true, 1, 64),
            "resnext50_32x4d" => (new[] { 3, 4, 6, 3 }, true, 32, 4),
            "resnext101_32x8d" => (new[] { 3, 4, 23, 3 }, true, 32, 8),
            "wide_resnet50_2" => (new[] { 3, 4, 6, 3 }, true, 1, 128),
            _ => (new[] { 3, 4, 23, 3 }, true, 1, 128), // wide_resnet101_2
        };

        var layout = new LayoutBuilder(architecture, input);
        layout.Conv("conv1", 64, kernel: 7, stride: 2, padding: 3, bias: false);
        layout.BatchNorm("bn1");
        layout.Activation("relu", "ReLU");
        layout.MaxPool("maxpool", kernel: 3, stride: 2, padding: 1);

        var expansion = bottleneck ? 4 : 1;
        long inPlanes = 64;
        for (var stage = 0; stage < 4; stage++)
        {
            var planes = 64L << stage;
            layout.Open($"layer{stage + 1}", "Sequential", isChain: true);
            for (var b = 0; b < blocks[stage]; b++)
            {
                var stride = stage > 0 && b == 0 ? 2 : 1;
                var downsample = b == 0 && (stride != 1 || inPlanes != planes * expansion);
                layout.Open(b.ToString(), bottleneck ? "Bottleneck" : "BasicBlock", isChain: false);
                if (bottleneck)
                {
                    var width = planes * widthPerGroup / 64 * groups;
                    layout.Conv("conv1", width, kernel: 1, bias: false);
                    layout.BatchNorm("bn1");
                    layout.Conv("conv2", width, kernel: 3, stride: stride, padding: 1, bias: false, groups: groups);
                    layout.BatchNorm("bn2");
                    layout.Conv("conv3", planes * expansion, kernel: 1, bias: false);
                    layout.BatchNorm("bn3");
                }
                else
                {
                    layout.Conv("conv1", planes, kernel: 3, stride: stride, padding: 1, bias: false);
                    layout.BatchNorm("bn1");
                    layout.Conv("conv2", planes, kernel: 3, padding: 1, bias: false);
                    layout.BatchNorm("bn2");
                }

                if (downsample)
                {
                    layout.BeginShortcut();
                    layout.Open("downsample", "Sequential", isChain: true);
                    layout.Conv("0", planes * expansion, kernel: 1, stride: stride, bias: false);
                    layout.BatchNorm("1");
                    layout.Close();
                }

                layout.Close(residual: true);
                inPlanes = planes * expansion;
            }

            layout.Close();
        }

        layout.Stages("layer1", "layer2", "layer3", "layer4");
        return layout.Build(defaultCut: "layer4");
    }
}
