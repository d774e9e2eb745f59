using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

using ModelGen.Shared;

namespace ModelGen.Generators.Spec;

/// <summary>
/// Typed access to one mapping of a spec. Creating the view reports unknown keys (with the nearest valid
/// key) and keys given twice; reading a value reports wrong types and out-of-range values at the value.
/// </summary>
internal sealed class MappingView
{
    private readonly Dictionary<string, KeyValuePair<ScalarNode, SpecNode>> _entries = new(StringComparer.Ordinal);
    private readonly DiagnosticBag _diagnostics;

    public MappingView(MappingNode node, string path, string[] allowed, SpecLocation ownerLocation, DiagnosticBag diagnostics)
    {
        Path = path;
        OwnerLocation = ownerLocation;
        _diagnostics = diagnostics;
        foreach (var entry in node.Entries)
        {
            var key = entry.Key.Value;
            if (Array.IndexOf(allowed, key) < 0)
            {
                diagnostics.Add(
                    DiagnosticDescriptors.UnknownKey,
                    entry.Key.Location,
                    Shorten(key),
                    Describe(path),
                    Hint(key, allowed),
                    string.Join(", ", allowed));
            }
            else if (_entries.ContainsKey(key))
            {
                diagnostics.Add(DiagnosticDescriptors.DuplicateKey, entry.Key.Location, key, Describe(path));
            }
            else
            {
                _entries.Add(key, entry);
            }
        }
    }

    /// <summary>The dotted path of this mapping in the spec ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Where problems with the mapping as a whole (a missing key) are reported.</summary>
    public SpecLocation OwnerLocation { get; }

    public bool Has(string key) => _entries.ContainsKey(key);

    public SpecNode? Get(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    public ScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>Where a key is written, or where the mapping is when the key is absent.</summary>
    public SpecLocation KeyLocation(string key) => KeyNode(key)?.Location ?? OwnerLocation;

    public string Name(string key) => Path.Length == 0 ? key : Path + "." + key;

    public void Missing(string key, string example) =>
        _diagnostics.Add(DiagnosticDescriptors.MissingKey, OwnerLocation, Name(key), Describe(Path), example);

    public Located<string>? String(string key, bool required = false, string example = "")
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, example);
            }

            return null;
        }

        return SpecValues.String(node, Name(key), _diagnostics);
    }

    public int? Int(string key, int min, int max) => Get(key) is { } node ? SpecValues.Int(node, Name(key), min, max, _diagnostics) : null;

    public double? Double(string key, double min, double max, bool minExclusive = false, bool maxExclusive = false) =>
        Get(key) is { } node ? SpecValues.Double(node, Name(key), min, max, minExclusive, maxExclusive, _diagnostics) : null;

    public bool? Bool(string key) => Get(key) is { } node ? SpecValues.Bool(node, Name(key), _diagnostics) : null;

    public Located<T>? Choice<T>(string key, Vocabulary<T> vocabulary, string what)
        where T : struct, System.Enum =>
        Get(key) is { } node ? SpecValues.Choice(node, Name(key), vocabulary, what, _diagnostics) : null;

    public MappingView? Mapping(string key, string[] allowed)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is MappingNode mapping)
        {
            return new MappingView(mapping, Name(key), allowed, KeyLocation(key), _diagnostics);
        }

        _diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, Name(key), "a mapping of " + string.Join(", ", allowed.Take(4)) + (allowed.Length > 4 ? ", ..." : ""), node.KindName);
        return null;
    }

    /// <summary>" (did you mean 'x'?)", or where the key belongs when it is valid in another mapping, or nothing.</summary>
    private static string Hint(string key, string[] allowed)
    {
        var elsewhere = SpecKeys.ValidUnder(key);
        return elsewhere.Count > 0
            ? $" ('{key}' belongs under {string.Join(" or ", elsewhere)})"
            : Suggestions.DidYouMean(key, allowed);
    }

    private static string Describe(string path) => path.Length == 0 ? "the spec" : "'" + path + "'";

    private static string Shorten(string text) => text.Length > 60 ? text.Substring(0, 57) + "..." : text;
}
