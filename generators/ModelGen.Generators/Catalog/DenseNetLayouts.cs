namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's DenseNet-BC 121 and 169: <c>features</c> (conv0, norm0, relu0, pool0, then four dense blocks
/// with a transition after each of the first three, then norm5) and the ReLU that torchvision's forward
/// applies to the features before pooling, kept here as the top-level layer <c>relu</c> (parameterless):
/// the default cut includes it, so the features are what the classifier saw. Each dense layer's output is
/// appended (concatenated along the channels) to its input.
/// </summary>
internal static class DenseNetLayouts
{
    private const int GrowthRate = 32;
    private const int BottleneckSize = 4;
    private const int InitialFeatures = 64;

    /// <summary>The dense layers of each block.</summary>
    public static int[] BlockConfig(string architecture) => architecture == "densenet169" ? [6, 12, 32, 32] : [6, 12, 24, 16];

    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var blocks = BlockConfig(architecture);
        var layout = new LayoutBuilder(architecture, input);
        layout.Open("features", "Sequential", isChain: true);
        layout.Conv("conv0", InitialFeatures, kernel: 7, stride: 2, padding: 3, bias: false);
        layout.BatchNorm("norm0");
        layout.Activation("relu0", "ReLU");
        layout.MaxPool("pool0", kernel: 3, stride: 2, padding: 1);
        long channels = InitialFeatures;
        for (var b = 0; b < blocks.Length; b++)
        {
            layout.Open($"denseblock{b + 1}", "_DenseBlock", isChain: false);
            for (var l = 0; l < blocks[b]; l++)
            {
                layout.Open($"denselayer{l + 1}", "_DenseLayer", isChain: false);
                layout.BatchNorm("norm1");
                layout.Activation("relu1", "ReLU");
                layout.Conv("conv1", BottleneckSize * GrowthRate, kernel: 1, bias: false);
                layout.BatchNorm("norm2");
                layout.Activation("relu2", "ReLU");
                layout.Conv("conv2", GrowthRate, kernel: 3, padding: 1, bias: false);
                layout.CloseAppend();
            }

            layout.Close();
            channels += blocks[b] * GrowthRate;
            if (b < blocks.Length - 1)
            {
                layout.Open($"transition{b + 1}", "_Transition", isChain: true);
                layout.BatchNorm("norm");
                layout.Activation("relu", "ReLU");
                layout.Conv("conv", channels / 2, kernel: 1, bias: false);
                layout.AvgPool("pool", kernel: 2, stride: 2);
                layout.Close();
                channels /= 2;
            }
        }

        layout.BatchNorm("norm5");
        layout.Close();
        layout.Activation("relu", "ReLU");

        // Stages: the last module at stride 4, 8, 16 (each transition's convolution, before its pooling
        // halves the resolution) and 32 (the final ReLU).
        layout.Stages("features.transition1.conv", "features.transition2.conv", "features.transition3.conv", "relu");
        return layout.Build(defaultCut: "relu");
    }
}
