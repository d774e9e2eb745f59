using System.Globalization;
using System.Linq;
using System.Text;
using ModelGen.Generators.Analysis;

namespace ModelGen.Generators.Emit;

/// <summary>A short, stable hash of what decides a model's parameter shapes.</summary>
internal static class Fingerprints
{
    public static string Of(ModelPlan plan)
    {
        // "head/" marks the layout in which the head's modules sit under "head." in the state_dict.
        var text = new StringBuilder()
            .Append("head/")
            .Append(plan.Backbone.Architecture).Append('|')
            .Append(plan.Backbone.CutAt).Append('|')
            .Append(plan.Input.Height).Append('x').Append(plan.Input.Width).Append('|')
            .Append(string.Join(",", plan.Head.Select(l => $"{l.Kind}:{l.InFeatures}:{l.Layer.Units}")))
            .ToString();

        // FNV-1a, 64 bit: stable across processes and platforms, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
