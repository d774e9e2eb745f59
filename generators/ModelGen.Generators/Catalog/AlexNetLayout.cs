namespace ModelGen.Generators.Catalog;

/// <summary>torchvision's AlexNet <c>features</c>: five convolutions and three overlapping max pools.</summary>
internal static class AlexNetLayout
{
    public static BackboneLayout Build(FeatureMap input)
    {
        var layout = new LayoutBuilder("alexnet", input);
        layout.Open("features", "Sequential", isChain: true);
        layout.Conv("0", 64, kernel: 11, stride: 4, padding: 2);
        layout.Activation("1", "ReLU");
        layout.MaxPool("2", kernel: 3, stride: 2);
        layout.Conv("3", 192, kernel: 5, padding: 2);
        layout.Activation("4", "ReLU");
        layout.MaxPool("5", kernel: 3, stride: 2);
        layout.Conv("6", 384, kernel: 3, padding: 1);
        layout.Activation("7", "ReLU");
        layout.Conv("8", 256, kernel: 3, padding: 1);
        layout.Activation("9", "ReLU");
        layout.Conv("10", 256, kernel: 3, padding: 1);
        layout.Activation("11", "ReLU");
        layout.MaxPool("12", kernel: 3, stride: 2);
        layout.Close();
        layout.Stages("features.1", "features.2", "features.5", "features.12");
        return layout.Build(defaultCut: "features.12");
    }
}
