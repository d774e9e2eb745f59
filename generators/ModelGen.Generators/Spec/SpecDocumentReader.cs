using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelGen.Generators.Spec;

/// <summary>
/// Reads spec text (YAML, or JSON, which YAML contains) into a tree of <see cref="SpecNode"/>s with
/// positions. It builds the tree from YamlDotNet's parser events with an explicit stack and limits on
/// size and depth, so that no input, however hostile, can overflow the stack or exhaust memory.
/// </summary>
internal static class SpecDocumentReader
{
    /// <summary>Specs are a few hundred lines; anything this large is not a spec.</summary>
    public const int MaxCharacters = 1_000_000;

    /// <summary>The contract's deepest structure is five levels; this leaves room and stops abuse.</summary>
    public const int MaxDepth = 32;

    public static SpecNode? Read(string path, string text, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        if (text.Length > MaxCharacters)
        {
            diagnostics.Add(DiagnosticDescriptors.SpecTooLarge, SpecLocation.FileStart(path), text.Length.ToString("N0", CultureInfo.InvariantCulture), MaxCharacters.ToString("N0", CultureInfo.InvariantCulture));
            return null;
        }

        var lines = new LineMap(text);
        var builder = new TreeBuilder(path, lines, text);
        var parser = new Parser(new StringReader(text));
        var documents = 0;
        var last = Mark.Empty;
        while (true)
        {
            var more = MoveNext(parser, builder, last, diagnostics);
            if (more is null)
            {
                return null;
            }

            if (more is false)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var current = parser.Current!;
            last = current.Start;
            switch (current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        diagnostics.Add(DiagnosticDescriptors.SeveralDocuments, builder.At(current.Start, current.End));
                        return null;
                    }

                    break;
                case AnchorAlias:
                    diagnostics.Add(DiagnosticDescriptors.AnchorOrAlias, builder.At(current.Start, current.End));
                    return null;
                case NodeEvent node when !node.Anchor.IsEmpty:
                    diagnostics.Add(DiagnosticDescriptors.AnchorOrAlias, builder.At(current.Start, current.End));
                    return null;
                case NodeEvent node when !node.Tag.IsEmpty && !node.Tag.IsNonSpecific:
                    diagnostics.Add(DiagnosticDescriptors.Tag, builder.At(current.Start, current.End), node.Tag.Value);
                    return null;
                case Scalar scalar:
                    builder.Add(new ScalarNode(scalar.Value, scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded, builder.At(scalar.Start, scalar.End)));
                    break;
                case MappingStart or SequenceStart:
                    if (builder.Depth >= MaxDepth)
                    {
                        diagnostics.Add(DiagnosticDescriptors.SpecTooDeep, builder.AtChar(current.Start), MaxDepth.ToString(CultureInfo.InvariantCulture));
                        return null;
                    }

                    builder.Open(current is MappingStart, current.Start, current is MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow });
                    break;
                case MappingEnd or SequenceEnd:
                    builder.Close(current.Start);
                    break;
            }
        }

        if (builder.Root is null)
        {
            diagnostics.Add(DiagnosticDescriptors.EmptySpec, SpecLocation.FileStart(path));
        }

        return builder.Root;
    }

    /// <summary>
    /// The parser's next event: true when there is one, false at the end, null after reporting text it cannot
    /// read. Only the parser's failures are the text's fault; an exception from building the tree is a bug in
    /// ModelGen and goes on to be reported as one (MG0025).
    /// </summary>
    private static bool? MoveNext(Parser parser, TreeBuilder builder, Mark last, DiagnosticBag diagnostics)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (YamlException e)
        {
            // A tab in a line's indentation is the usual cause, but YamlDotNet reports where it gave up, often a
            // line or more away: point at the tab itself.
            if (builder.TabInIndentation(through: (int)e.End.Index) is { } tab)
            {
                diagnostics.Add(DiagnosticDescriptors.SyntaxError, tab, "a tab indents this line; YAML indents with spaces only");
                return null;
            }

            if (builder.Misindented(e) is { } misindented)
            {
                diagnostics.Add(DiagnosticDescriptors.SyntaxError, misindented.Line, misindented.Message);
                return null;
            }

            diagnostics.Add(DiagnosticDescriptors.SyntaxError, builder.At(e.Start, e.End), Describe(e));
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // YamlDotNet reports some malformed input with exceptions other than YamlException.
            diagnostics.Add(DiagnosticDescriptors.UnreadableText, builder.AtChar(last), e.GetType().Name);
            return null;
        }
    }

    internal static string Describe(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 1) - (...): "; the location is reported separately.
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(", StringComparison.Ordinal) ? message.Substring(cut + 3) : message;
    }

    private sealed class TreeBuilder(string path, LineMap lines, string text)
    {
        private readonly Stack<Frame> _open = new();
        private (bool IsMapping, int Column)? _lastClosedBlock;

        public SpecNode? Root { get; private set; }

        public int Depth => _open.Count;

        public void Open(bool isMapping, Mark start, bool isFlow) => _open.Push(new Frame(isMapping, start, isFlow));

        public void Close(Mark endEvent)
        {
            var frame = _open.Pop();
            if (!frame.IsFlow)
            {
                _lastClosedBlock = (frame.IsMapping, (int)frame.Start.Column);
            }

            // A flow collection ends with its closing bracket; a block collection with its last child.
            var from = lines.Clamp((int)Math.Max(0, frame.Start.Index));
            var to = frame.IsFlow
                ? lines.Clamp((int)Math.Max(0, endEvent.Index) + 1)
                : Math.Max(from, frame.LastEnd);
            var location = Span(from, to);
            SpecNode node = frame.IsMapping
                ? new MappingNode(frame.Entries, location)
                : new SequenceNode(frame.Items, location);
            Add(node);
        }

        public void Add(SpecNode node)
        {
            if (_open.Count > 0)
            {
                _open.Peek().LastEnd = node.Location.Start + node.Location.Length;
            }

            if (_open.Count == 0)
            {
                Root ??= node;
                return;
            }

            var frame = _open.Peek();
            if (!frame.IsMapping)
            {
                frame.Items.Add(node);
            }
            else if (frame.PendingKey is null)
            {
                // Complex keys (a mapping as a key) are not part of the spec language: keep their text.
                frame.PendingKey = node as ScalarNode ?? new ScalarNode("(" + node.KindName + ")", true, node.Location);
            }
            else
            {
                frame.Entries.Add(new KeyValuePair<ScalarNode, SpecNode>(frame.PendingKey, node));
                frame.PendingKey = null;
            }
        }

        public SpecLocation At(Mark start, Mark end)
        {
            var from = lines.Clamp((int)Math.Max(0, start.Index));
            var to = Math.Max(from, lines.Clamp((int)Math.Max(0, end.Index)));
            return Span(from, to);
        }

        /// <summary>The first tab in the indentation of a line that starts at or before <paramref name="through"/> (and on its line), or null.</summary>
        public SpecLocation? TabInIndentation(int through)
        {
            var end = lines.Clamp(through);
            while (end < text.Length && text[end] != '\n')
            {
                end++;
            }

            var lineStart = 0;
            while (lineStart <= end && lineStart < text.Length)
            {
                for (var i = lineStart; i < text.Length && text[i] is ' ' or '\t'; i++)
                {
                    if (text[i] == '\t')
                    {
                        return Span(i, i + 1);
                    }
                }

                var next = text.IndexOf('\n', lineStart);
                if (next < 0)
                {
                    break;
                }

                lineStart = next + 1;
            }

            return null;
        }

        /// <summary>
        /// The parser's three ways of saying a line is indented wrongly, in plain words, at the line's text and
        /// with the columns the line could start in (where the keys or items of the blocks around it start);
        /// null for other errors.
        /// </summary>
        public (SpecLocation Line, string Message)? Misindented(YamlException e)
        {
            var message = Describe(e);
            var block = _open.FirstOrDefault(frame => !frame.IsFlow);
            var overIndented = message.EndsWith("found invalid mapping.", StringComparison.Ordinal);
            var notAKey = message.EndsWith("did not find expected key.", StringComparison.Ordinal);
            var notAnItem = message.EndsWith("did not find expected '-' indicator.", StringComparison.Ordinal);
            if (block is null || !(overIndented || notAKey || notAnItem))
            {
                return null;
            }

            // The line the parser stopped in, from its first character to its end (or a comment).
            var start = lines.Clamp((int)Math.Max(0, e.Start.Index));
            while (start > 0 && text[start - 1] != '\n')
            {
                start--;
            }

            while (start < text.Length && text[start] == ' ')
            {
                start++;
            }

            var end = start;
            while (end < text.Length && text[end] is not '\n' and not '\r' and not '#')
            {
                end++;
            }

            var line = Span(start, end);
            var column = line.StartColumn + 1;
            var inner = (int)block.Start.Column;
            string plain;
            if (overIndented)
            {
                plain = $"this line starts in column {column}, deeper than the line above allows, so YAML reads its 'key:' as part of the value above; the {(block.IsMapping ? "keys" : "items")} beside it start in column {inner}";
            }
            else
            {
                // Where this line could go: the blocks still open, and the one that just ended (a line indented
                // less than its siblings ends their block before the parser complains).
                var isItem = text.Length > start + 1 && text[start] == '-' && text[start + 1] is ' ' or '\n' or '\r';
                var columns = _open.Where(frame => !frame.IsFlow).Select(frame => (frame.IsMapping, Column: (int)frame.Start.Column))
                    .Concat(_lastClosedBlock is { } closed ? [closed] : [])
                    .Where(frame => frame.IsMapping != isItem)
                    .Select(frame => frame.Column).Distinct().OrderBy(c => c)
                    .Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
                plain = isItem && columns.Count > 0
                    ? $"this item starts in column {column}, but the lists around it have their items in column {string.Join(" or ", columns)}"
                    : notAnItem
                        ? $"this line starts in column {column}, in a list whose items ('- ') start in column {inner}, but it is not an item; indent it under the item above, or start it with '- '"
                        : $"this line starts in column {column}, but the mappings around it have their keys in column {string.Join(" or ", columns)}; the keys of one mapping start in one column";
            }

            return (line, plain + $" (the parser: {message.TrimEnd('.')})");
        }

        /// <summary>The one character at <paramref name="start"/> (a bracket, a key's first letter).</summary>
        public SpecLocation AtChar(Mark start)
        {
            var from = lines.Clamp((int)Math.Max(0, start.Index));
            return Span(from, lines.Clamp(from + 1));
        }

        private SpecLocation Span(int from, int to)
        {
            // Spans never end in whitespace: YamlDotNet's end marks can run past a token's trailing blanks.
            while (to > from && char.IsWhiteSpace(text[to - 1]))
            {
                to--;
            }

            var (startLine, startColumn) = lines.Position(from);
            var (endLine, endColumn) = lines.Position(to);
            return new SpecLocation(path, from, to - from, startLine, startColumn, endLine, endColumn);
        }

        private sealed class Frame(bool isMapping, Mark start, bool isFlow)
        {
            public bool IsMapping { get; } = isMapping;

            public bool IsFlow { get; } = isFlow;

            public int LastEnd { get; set; }

            public Mark Start { get; } = start;

            public List<KeyValuePair<ScalarNode, SpecNode>> Entries { get; } = [];

            public List<SpecNode> Items { get; } = [];

            public ScalarNode? PendingKey { get; set; }
        }
    }
}
