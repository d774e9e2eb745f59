using ModelGen.Generators.Model;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// One named layer (module) of a backbone at a given input size, in the order the network runs them.
/// </summary>
/// <param name="Name">The torchvision module path: <c>features.23</c>, <c>layer3</c>, <c>layer3.1.conv2</c>.</param>
/// <param name="Type">The module type: <c>Conv2d</c>, <c>BasicBlock</c>, <c>Sequential</c>, ...</param>
/// <param name="Output">The output shape for the input size the layout was built for.</param>
/// <param name="FirstParameter">The index of the layer's first parameter in the backbone's parameter order.</param>
/// <param name="ParameterCount">How many parameter tensors the layer (with its children) holds.</param>
/// <param name="Parameters">How many scalar parameters the layer (with its children) holds.</param>
/// <param name="Depth">0 for the backbone's top-level layers, 1 for their children, ...</param>
/// <param name="CutContainer">Null when the backbone can be cut after this layer; else the enclosing block that forbids it.</param>
internal sealed record CatalogLayer(
    string Name,
    string Type,
    FeatureMap Output,
    int FirstParameter,
    int ParameterCount,
    long Parameters,
    int Depth,
    string? CutContainer)
{
    public bool CanCut => CutContainer is null;
}

/// <summary>A parameter tensor of a backbone: its state_dict name and shape.</summary>
internal sealed record CatalogParameter(string Name, EquatableArray<long> Shape)
{
    public long Elements
    {
        get
        {
            long elements = 1;
            foreach (var size in Shape)
            {
                elements *= size;
            }

            return elements;
        }
    }
}

/// <summary>
/// Another name for a range of layers: a Keras name (a conv and its activation, shown as a row of the
/// summary) or an ONNX node name of an imported graph.
/// </summary>
/// <param name="Name">The alias, e.g. <c>block5_conv1</c> or <c>Convolution249</c>.</param>
/// <param name="First">The first layer it covers (used for "trainable from").</param>
/// <param name="Last">The last layer it covers (used for cutting and "frozen through").</param>
/// <param name="IsSummaryRow">True for Keras names, which make the rows of the summary table.</param>
internal sealed record LayerAlias(string Name, string First, string Last, bool IsSummaryRow = true);
