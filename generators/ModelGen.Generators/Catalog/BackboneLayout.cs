using System;
using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// A backbone's layers, parameters and shapes for one input size: what the generator needs to check a
/// spec, compute <c>FeatureShape</c> and write <c>Summary()</c> without running anything.
/// </summary>
internal sealed record BackboneLayout(
    string Architecture,
    FeatureMap Input,
    EquatableArray<CatalogLayer> Layers,
    EquatableArray<CatalogParameter> Parameters,
    EquatableArray<LayerAlias> Aliases,
    string DefaultCut,
    string? CollapsedAt,
    string? MismatchBlock,
    FeatureMap? MismatchMain,
    FeatureMap? MismatchShortcut)
{
    /// <summary>The layer with this torchvision name, or null.</summary>
    public CatalogLayer? Find(string name) => Layers.FirstOrDefault(l => l.Name == name);

    /// <summary>The index of the layer in run order, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Layers.Count; i++)
        {
            if (Layers[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The alias with this name (case-insensitive), or null.</summary>
    public LayerAlias? FindAlias(string name) => Aliases.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The index of the last layer that belongs to a model cut after <paramref name="cutIndex"/>: the cut
    /// layer and, when it is a container, everything inside it.
    /// </summary>
    public int LastIndexWithin(int cutIndex)
    {
        var cut = Layers[cutIndex];
        var last = cutIndex;
        while (last + 1 < Layers.Count && Layers[last + 1].Name.StartsWith(cut.Name + ".", StringComparison.Ordinal))
        {
            last++;
        }

        return last;
    }
}
