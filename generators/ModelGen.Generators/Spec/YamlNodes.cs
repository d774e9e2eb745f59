using System.Collections.Generic;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Spec;

/// <summary>A node of a spec document: a scalar, a mapping or a sequence, with where it was written.</summary>
internal abstract class SpecNode
{
    protected SpecNode(SpecLocation location)
    {
        Location = location;
    }

    public SpecLocation Location { get; }

    /// <summary>How the node is named in messages: "a number", "a list", ...</summary>
    public abstract string KindName { get; }
}

/// <summary>A scalar value; <see cref="IsQuoted"/> tells "1" (text) from 1 (a number).</summary>
internal sealed class ScalarNode(string value, bool isQuoted, SpecLocation location) : SpecNode(location)
{
    public string Value { get; } = value;

    public bool IsQuoted { get; } = isQuoted;

    /// <summary>True for an empty plain value (<c>key:</c> with nothing after it) or <c>null</c>/<c>~</c>.</summary>
    public bool IsNull => !IsQuoted && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");

    public override string KindName => IsNull ? "nothing" : IsQuoted ? "a text" : "the value '" + Value + "'";
}

/// <summary>A key/value mapping in the order written.</summary>
internal sealed class MappingNode(IReadOnlyList<KeyValuePair<ScalarNode, SpecNode>> entries, SpecLocation location) : SpecNode(location)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, SpecNode>> Entries { get; } = entries;

    public override string KindName => "a mapping";
}

/// <summary>A list of nodes.</summary>
internal sealed class SequenceNode(IReadOnlyList<SpecNode> items, SpecLocation location) : SpecNode(location)
{
    public IReadOnlyList<SpecNode> Items { get; } = items;

    public override string KindName => "a list";
}
