using ModelGen.Shared;

namespace ModelGen.Onnx;

/// <summary>How an imported graph names its layers (the module paths of its parameters) and its cut points.</summary>
internal class OnnxNaming
{
    /// <summary>Graphs in general: a layer is named after its node (characters torch does not allow become '_').</summary>
    public static OnnxNaming NodeNames { get; } = new();

    /// <summary>The module path for the parameters of a node, or null to keep the node's own name.</summary>
    public virtual string? ModulePath(string node) => null;

    /// <summary>The position of a module path in parameter order; null keeps graph order.</summary>
    public virtual int? Order(string path) => null;

    /// <summary>The ONNX value a layer name stands for (a cut point), or null when the name is not a layer name.</summary>
    public virtual string? CutOutput(string layer) => null;

    /// <summary>A node name as a torch module name: no dots or slashes.</summary>
    public static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }
}

/// <summary>
/// resnet18_mlnet: torchvision-style names for the CNTK graph (conv1, bn1, layer1.0.conv1, ...,
/// layer2.0.downsample.0), in torchvision's parameter order, so specs and freezing read like ResNet's.
/// </summary>
internal sealed class ResNet18MlnetNaming : OnnxNaming
{
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cuts = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Builds the name tables from the shared node layout.</summary>
    public ResNet18MlnetNaming()
    {
        AddModule(ResNet18MlnetNodes.Stem[0], "conv1");
        AddModule(ResNet18MlnetNodes.Stem[1], "bn1");
        for (var i = 0; i < ResNet18MlnetNodes.Stem.Length; i++)
        {
            _cuts[ResNet18MlnetNodes.StemNames[i]] = ResNet18MlnetNodes.Stem[i] + "_Output_0";
        }

        var names = ResNet18MlnetNodes.BlockNames().ToList();
        for (var block = 0; block < names.Count; block++)
        {
            var nodes = ResNet18MlnetNodes.Blocks[block];
            var name = names[block];
            AddModule(nodes[0], name + ".conv1");
            AddModule(nodes[1], name + ".bn1");
            AddModule(nodes[3], name + ".conv2");
            AddModule(nodes[4], name + ".bn2");
            if (nodes.Length > 7)
            {
                AddModule(nodes[7], name + ".downsample.0");
                AddModule(nodes[8], name + ".downsample.1");
            }

            _cuts[name] = nodes[6] + "_Output_0";

            // A stage ends with its last block.
            _cuts[name[..name.IndexOf('.')]] = nodes[6] + "_Output_0";
        }
    }

    /// <inheritdoc />
    public override string? ModulePath(string node) => _paths.GetValueOrDefault(node);

    /// <inheritdoc />
    public override int? Order(string path)
    {
        var index = _order.IndexOf(path);
        return index < 0 ? null : index;
    }

    /// <inheritdoc />
    public override string? CutOutput(string layer) => _cuts.GetValueOrDefault(layer);

    private void AddModule(string node, string path)
    {
        _paths[node] = path;
        _order.Add(path);
    }
}
