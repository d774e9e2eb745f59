namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's GoogLeNet and Inception v3 as their pretrained weights run them: <c>transform_input</c>
/// (the parameterless rescaling from ImageNet normalisation to the [-1, 1] range the original weights
/// expect), then the top-level modules up to the last Inception block; the auxiliary classifiers
/// (<c>aux1</c>, <c>aux2</c>, <c>AuxLogits</c>) are not part of the backbone. Every convolution is a
/// <c>BasicConv2d</c> (conv without bias, batch norm with eps 0.001, ReLU); an Inception block
/// concatenates its parallel branches along the channels.
/// </summary>
internal static class InceptionLayouts
{
    public static BackboneLayout GoogLeNet(FeatureMap input)
    {
        var layout = new LayoutBuilder("googlenet", input);
        layout.Activation("transform_input", "TransformInput");
        BasicConv(layout, "conv1", 64, kernel: 7, stride: 2, padding: 3);
        layout.MaxPool("maxpool1", kernel: 3, stride: 2, ceilMode: true);
        BasicConv(layout, "conv2", 64, kernel: 1);
        BasicConv(layout, "conv3", 192, kernel: 3, padding: 1);
        layout.MaxPool("maxpool2", kernel: 3, stride: 2, ceilMode: true);
        Inception(layout, "inception3a", 64, 96, 128, 16, 32, 32);
        Inception(layout, "inception3b", 128, 128, 192, 32, 96, 64);
        layout.MaxPool("maxpool3", kernel: 3, stride: 2, ceilMode: true);
        Inception(layout, "inception4a", 192, 96, 208, 16, 48, 64);
        Inception(layout, "inception4b", 160, 112, 224, 24, 64, 64);
        Inception(layout, "inception4c", 128, 128, 256, 24, 64, 64);
        Inception(layout, "inception4d", 112, 144, 288, 32, 64, 64);
        Inception(layout, "inception4e", 256, 160, 320, 32, 128, 128);
        layout.MaxPool("maxpool4", kernel: 2, stride: 2, ceilMode: true);
        Inception(layout, "inception5a", 256, 160, 320, 32, 128, 128);
        Inception(layout, "inception5b", 384, 192, 384, 48, 128, 128);
        layout.Stages("conv3", "inception3b", "inception4e", "inception5b");
        return layout.Build(defaultCut: "inception5b");
    }

    public static BackboneLayout InceptionV3(FeatureMap input)
    {
        var layout = new LayoutBuilder("inception_v3", input);
        layout.Activation("transform_input", "TransformInput");
        BasicConv(layout, "Conv2d_1a_3x3", 32, kernel: 3, stride: 2);
        BasicConv(layout, "Conv2d_2a_3x3", 32, kernel: 3);
        BasicConv(layout, "Conv2d_2b_3x3", 64, kernel: 3, padding: 1);
        layout.MaxPool("maxpool1", kernel: 3, stride: 2);
        BasicConv(layout, "Conv2d_3b_1x1", 80, kernel: 1);
        BasicConv(layout, "Conv2d_4a_3x3", 192, kernel: 3);
        layout.MaxPool("maxpool2", kernel: 3, stride: 2);
        InceptionA(layout, "Mixed_5b", 32);
        InceptionA(layout, "Mixed_5c", 64);
        InceptionA(layout, "Mixed_5d", 64);
        InceptionB(layout, "Mixed_6a");
        InceptionC(layout, "Mixed_6b", 128);
        InceptionC(layout, "Mixed_6c", 160);
        InceptionC(layout, "Mixed_6d", 160);
        InceptionC(layout, "Mixed_6e", 192);
        InceptionD(layout, "Mixed_7a");
        InceptionE(layout, "Mixed_7b");
        InceptionE(layout, "Mixed_7c");
        layout.Stages("Conv2d_4a_3x3", "Mixed_5d", "Mixed_6e", "Mixed_7c");
        return layout.Build(defaultCut: "Mixed_7c");
    }

    private static void BasicConv(LayoutBuilder layout, string name, long channels, int kernel, int stride = 1, int padding = 0)
    {
        layout.Open(name, "BasicConv2d", isChain: false);
        layout.Conv("conv", channels, kernel: kernel, stride: stride, padding: padding, bias: false);
        layout.BatchNorm("bn");
        layout.Close();
    }

    private static void BasicConv(LayoutBuilder layout, string name, long channels, (int Height, int Width) kernel, (int Height, int Width) padding)
    {
        layout.Open(name, "BasicConv2d", isChain: false);
        layout.Conv("conv", channels, kernel, padding, bias: false);
        layout.BatchNorm("bn");
        layout.Close();
    }

    private static void Inception(LayoutBuilder layout, string name, long ch1x1, long ch3x3red, long ch3x3, long ch5x5red, long ch5x5, long poolProj)
    {
        layout.Open(name, "Inception", isChain: false);
        BasicConv(layout, "branch1", ch1x1, kernel: 1);
        layout.BeginBranch();
        layout.Open("branch2", "Sequential", isChain: true);
        BasicConv(layout, "0", ch3x3red, kernel: 1);
        BasicConv(layout, "1", ch3x3, kernel: 3, padding: 1);
        layout.Close();
        layout.BeginBranch();
        layout.Open("branch3", "Sequential", isChain: true);
        BasicConv(layout, "0", ch5x5red, kernel: 1);
        BasicConv(layout, "1", ch5x5, kernel: 3, padding: 1); // torchvision's 3x3 where the paper has 5x5 (vision#906)
        layout.Close();
        layout.BeginBranch();
        layout.Open("branch4", "Sequential", isChain: true);
        layout.MaxPool("0", kernel: 3, stride: 1, padding: 1, ceilMode: true);
        BasicConv(layout, "1", poolProj, kernel: 1);
        layout.Close();
        layout.CloseConcat();
    }

    private static void InceptionA(LayoutBuilder layout, string name, long poolFeatures)
    {
        layout.Open(name, "InceptionA", isChain: false);
        BasicConv(layout, "branch1x1", 64, kernel: 1);
        layout.BeginBranch();
        BasicConv(layout, "branch5x5_1", 48, kernel: 1);
        BasicConv(layout, "branch5x5_2", 64, kernel: 5, padding: 2);
        layout.BeginBranch();
        BasicConv(layout, "branch3x3dbl_1", 64, kernel: 1);
        BasicConv(layout, "branch3x3dbl_2", 96, kernel: 3, padding: 1);
        BasicConv(layout, "branch3x3dbl_3", 96, kernel: 3, padding: 1);
        layout.BeginBranch();
        layout.Pool(kernel: 3, stride: 1, padding: 1);
        BasicConv(layout, "branch_pool", poolFeatures, kernel: 1);
        layout.CloseConcat();
    }

    private static void InceptionB(LayoutBuilder layout, string name)
    {
        layout.Open(name, "InceptionB", isChain: false);
        BasicConv(layout, "branch3x3", 384, kernel: 3, stride: 2);
        layout.BeginBranch();
        BasicConv(layout, "branch3x3dbl_1", 64, kernel: 1);
        BasicConv(layout, "branch3x3dbl_2", 96, kernel: 3, padding: 1);
        BasicConv(layout, "branch3x3dbl_3", 96, kernel: 3, stride: 2);
        layout.BeginBranch();
        layout.Pool(kernel: 3, stride: 2);
        layout.CloseConcat();
    }

    private static void InceptionC(LayoutBuilder layout, string name, long c7)
    {
        layout.Open(name, "InceptionC", isChain: false);
        BasicConv(layout, "branch1x1", 192, kernel: 1);
        layout.BeginBranch();
        BasicConv(layout, "branch7x7_1", c7, kernel: 1);
        BasicConv(layout, "branch7x7_2", c7, (1, 7), (0, 3));
        BasicConv(layout, "branch7x7_3", 192, (7, 1), (3, 0));
        layout.BeginBranch();
        BasicConv(layout, "branch7x7dbl_1", c7, kernel: 1);
        BasicConv(layout, "branch7x7dbl_2", c7, (7, 1), (3, 0));
        BasicConv(layout, "branch7x7dbl_3", c7, (1, 7), (0, 3));
        BasicConv(layout, "branch7x7dbl_4", c7, (7, 1), (3, 0));
        BasicConv(layout, "branch7x7dbl_5", 192, (1, 7), (0, 3));
        layout.BeginBranch();
        layout.Pool(kernel: 3, stride: 1, padding: 1);
        BasicConv(layout, "branch_pool", 192, kernel: 1);
        layout.CloseConcat();
    }

    private static void InceptionD(LayoutBuilder layout, string name)
    {
        layout.Open(name, "InceptionD", isChain: false);
        BasicConv(layout, "branch3x3_1", 192, kernel: 1);
        BasicConv(layout, "branch3x3_2", 320, kernel: 3, stride: 2);
        layout.BeginBranch();
        BasicConv(layout, "branch7x7x3_1", 192, kernel: 1);
        BasicConv(layout, "branch7x7x3_2", 192, (1, 7), (0, 3));
        BasicConv(layout, "branch7x7x3_3", 192, (7, 1), (3, 0));
        BasicConv(layout, "branch7x7x3_4", 192, kernel: 3, stride: 2);
        layout.BeginBranch();
        layout.Pool(kernel: 3, stride: 2);
        layout.CloseConcat();
    }

    private static void InceptionE(LayoutBuilder layout, string name)
    {
        layout.Open(name, "InceptionE", isChain: false);
        BasicConv(layout, "branch1x1", 320, kernel: 1);
        layout.BeginBranch();
        BasicConv(layout, "branch3x3_1", 384, kernel: 1);
        SplitPair(layout, "branch3x3_2a", "branch3x3_2b");
        layout.BeginBranch();
        BasicConv(layout, "branch3x3dbl_1", 448, kernel: 1);
        BasicConv(layout, "branch3x3dbl_2", 384, kernel: 3, padding: 1);
        SplitPair(layout, "branch3x3dbl_3a", "branch3x3dbl_3b");
        layout.BeginBranch();
        layout.Pool(kernel: 3, stride: 1, padding: 1);
        BasicConv(layout, "branch_pool", 192, kernel: 1);
        layout.CloseConcat();
    }

    /// <summary>A 1x3 and a 3x1 convolution on the same input, concatenated (InceptionE).</summary>
    private static void SplitPair(LayoutBuilder layout, string first, string second)
    {
        var split = layout.Current;
        BasicConv(layout, first, 384, (1, 3), (0, 1));
        var left = layout.Current;
        layout.Resume(split);
        BasicConv(layout, second, 384, (3, 1), (1, 0));
        layout.Join(left);
    }
}
