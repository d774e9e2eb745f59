using System.Collections.Frozen;

namespace ModelGen.Weights;

/// <summary>
/// The official torchvision ImageNet weights file of an architecture (torchvision 0.14's DEFAULT weights):
/// its file name under <see cref="OfficialWeightsTable.BaseUrl"/>, whose last dash-separated part is the start
/// of the file's SHA-256 (as torch.hub checks it), with the top-1 accuracy and parameter count torchvision reports.
/// </summary>
internal sealed record OfficialWeights(string Architecture, string FileName, double Top1Accuracy, long Parameters)
{
    /// <summary>The start of the file's SHA-256 in lower-case hex, from its name (<c>vgg16-397923af.pth</c> → <c>397923af</c>).</summary>
    public string HashPrefix
    {
        get
        {
            var stem = Path.GetFileNameWithoutExtension(FileName);
            return stem[(stem.LastIndexOf('-') + 1)..].ToLowerInvariant();
        }
    }
}

/// <summary>The official weights of the catalog's architectures; resnet18_mlnet and onnx backbones have none.</summary>
internal static class OfficialWeightsTable
{
    /// <summary>Where torchvision's weights are served.</summary>
    public const string BaseUrl = "https://download.pytorch.org/models/";

    private static readonly AsyncLocal<IReadOnlyDictionary<string, OfficialWeights>?> TestTable = new();

    private static readonly FrozenDictionary<string, OfficialWeights> Table = new OfficialWeights[]
    {
        new("vgg11", "vgg11-8a719046.pth", 69.02, 132863336),
        new("vgg11_bn", "vgg11_bn-6002323d.pth", 70.37, 132868840),
        new("vgg13", "vgg13-19584684.pth", 69.928, 133047848),
        new("vgg13_bn", "vgg13_bn-abd245e5.pth", 71.586, 133053736),
        new("vgg16", "vgg16-397923af.pth", 71.592, 138357544),
        new("vgg16_bn", "vgg16_bn-6c64b313.pth", 73.36, 138365992),
        new("vgg19", "vgg19-dcbb9e9d.pth", 72.376, 143667240),
        new("vgg19_bn", "vgg19_bn-c79401a0.pth", 74.218, 143678248),
        new("resnet18", "resnet18-f37072fd.pth", 69.758, 11689512),
        new("resnet34", "resnet34-b627a593.pth", 73.314, 21797672),
        new("resnet50", "resnet50-11ad3fa6.pth", 80.858, 25557032),
        new("resnet101", "resnet101-cd907fc2.pth", 81.886, 44549160),
        new("resnet152", "resnet152-f82ba261.pth", 82.284, 60192808),
        new("resnext50_32x4d", "resnext50_32x4d-1a0047aa.pth", 81.198, 25028904),
        new("resnext101_32x8d", "resnext101_32x8d-110c445d.pth", 82.834, 88791336),
        new("wide_resnet50_2", "wide_resnet50_2-9ba9bcbe.pth", 81.602, 68883240),
        new("wide_resnet101_2", "wide_resnet101_2-d733dc28.pth", 82.51, 126886696),
        new("alexnet", "alexnet-owt-7be5be79.pth", 56.522, 61100840),
        new("mobilenet_v2", "mobilenet_v2-7ebf99e0.pth", 72.154, 3504872),
        new("mobilenet_v3_small", "mobilenet_v3_small-047dcff4.pth", 67.668, 2542856),
        new("mobilenet_v3_large", "mobilenet_v3_large-5c1a4163.pth", 75.274, 5483032),
        new("efficientnet_b0", "efficientnet_b0_rwightman-3dd342df.pth", 77.692, 5288548),
        new("efficientnet_b1", "efficientnet_b1-c27df63c.pth", 79.838, 7794184),
        new("efficientnet_b2", "efficientnet_b2_rwightman-bcdf34b7.pth", 80.608, 9109994),
        new("efficientnet_b3", "efficientnet_b3_rwightman-cf984f9c.pth", 82.008, 12233232),
        new("efficientnet_b4", "efficientnet_b4_rwightman-7eb33cd5.pth", 83.384, 19341616),
        new("efficientnet_v2_s", "efficientnet_v2_s-dd5fe13b.pth", 84.228, 21458488),
        new("convnext_tiny", "convnext_tiny-983f1562.pth", 82.52, 28589128),
        new("convnext_small", "convnext_small-0c510722.pth", 83.616, 50223688),
        new("convnext_base", "convnext_base-6075fbad.pth", 84.062, 88591464),
        new("densenet121", "densenet121-a639ec97.pth", 74.434, 7978856),
        new("densenet169", "densenet169-b2777c0a.pth", 75.6, 14149480),
        new("regnet_y_400mf", "regnet_y_400mf-e6988f5f.pth", 75.804, 4344144),
        new("regnet_y_800mf", "regnet_y_800mf-58fc7688.pth", 78.828, 6432512),
        new("regnet_y_1_6gf", "regnet_y_1_6gf-0d7bc02a.pth", 80.876, 11202430),
        new("regnet_y_3_2gf", "regnet_y_3_2gf-9180c971.pth", 81.982, 19436338),
        new("googlenet", "googlenet-1378be20.pth", 69.778, 6624904),
        new("inception_v3", "inception_v3_google-0cc3c7bd.pth", 77.294, 27161264),
        new("vit_b_16", "vit_b_16-c867db91.pth", 81.072, 86567656),
        new("vit_b_32", "vit_b_32-d86f8d99.pth", 75.912, 88224232),
        new("swin_t", "swin_t-704ceda3.pth", 81.474, 28288354),
    }.ToFrozenDictionary(entry => entry.Architecture, StringComparer.Ordinal);

    /// <summary>Every entry (the real table, whatever a test puts in its place).</summary>
    public static IReadOnlyCollection<OfficialWeights> All => Table.Values;

    /// <summary>The official weights of <paramref name="architecture"/> (its torchvision name), or null when it has none.</summary>
    public static OfficialWeights? Find(string architecture) =>
        (TestTable.Value ?? Table).GetValueOrDefault(architecture);

    /// <summary>
    /// Test seam: <paramref name="table"/> replaces the table for the calling flow (async-local, so parallel
    /// tests do not see it) until the result is disposed.
    /// </summary>
    internal static IDisposable Replace(IReadOnlyDictionary<string, OfficialWeights> table)
    {
        var previous = TestTable.Value;
        TestTable.Value = table;
        return new Restore(() => TestTable.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
