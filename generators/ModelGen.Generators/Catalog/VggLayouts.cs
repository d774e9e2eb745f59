namespace ModelGen.Generators.Catalog;

/// <summary>
/// VGG 11/13/16/19, with and without batch norm (torchvision's <c>features</c>): 3x3 convolutions with
/// padding 1, each followed by ReLU (and BatchNorm before it in the _bn variants), and 2x2 max pools.
/// Layers keep torchvision's names (<c>features.N</c>) and get Keras' names as aliases
/// (<c>blockB_convI</c> for a convolution with its activation, <c>blockB_pool</c>).
/// </summary>
internal static class VggLayouts
{
    private const int Pool = 0;

    private static readonly int[] Vgg11 = [64, Pool, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool];
    private static readonly int[] Vgg13 = [64, 64, Pool, 128, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool];
    private static readonly int[] Vgg16 = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512, Pool];
    private static readonly int[] Vgg19 = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, 256, Pool, 512, 512, 512, 512, Pool, 512, 512, 512, 512, Pool];

    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var batchNorm = architecture.EndsWith("_bn", System.StringComparison.Ordinal);
        var config = architecture.Substring(0, 5) switch
        {
            "vgg11" => Vgg11,
            "vgg13" => Vgg13,
            "vgg16" => Vgg16,
            _ => Vgg19,
        };

        var layout = new LayoutBuilder(architecture, input);
        layout.Open("features", "Sequential", isChain: true);
        var index = 0;
        var block = 1;
        var conv = 1;
        var pools = new System.Collections.Generic.List<string>();
        foreach (var channels in config)
        {
            if (channels == Pool)
            {
                layout.MaxPool(index.ToString(), kernel: 2, stride: 2);
                layout.Alias($"block{block}_pool", index.ToString(), index.ToString());
                pools.Add("features." + index);
                index++;
                block++;
                conv = 1;
                continue;
            }

            var first = index;
            layout.Conv((index++).ToString(), channels, kernel: 3, padding: 1);
            if (batchNorm)
            {
                layout.BatchNorm((index++).ToString());
            }

            layout.Activation((index++).ToString(), "ReLU");
            layout.Alias($"block{block}_conv{conv++}", first.ToString(), (index - 1).ToString());
        }

        layout.Close();
        layout.Stages(pools[1], pools[2], pools[3], pools[4]); // block1 ends at stride 2; blocks 2..5 at 4..32
        return layout.Build(defaultCut: "features." + (index - 1));
    }
}
