using Microsoft.CodeAnalysis.Text;

namespace ModelGen.Generators.Tests.Infrastructure;

/// <summary>A spec with the expected diagnostic span marked as <c>[|...|]</c>.</summary>
internal sealed record MarkedSpec(string Text, LinePositionSpan Span)
{
    public static MarkedSpec Parse(string marked)
    {
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new ArgumentException("mark the expected span with [| and |]", nameof(marked));
        }

        var text = marked.Remove(end, 2).Remove(start, 2);
        var source = SourceText.From(text);
        return new MarkedSpec(text, source.Lines.GetLinePositionSpan(new TextSpan(start, end - start - 2)));
    }
}
