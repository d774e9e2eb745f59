using System;
using System.Globalization;
using System.Text;

namespace ModelGen.Generators.Emit;

/// <summary>Writes C# text with tracked indentation (four spaces per level) and '\n' line ends.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        // A trailing comment that makes a line too long goes on its own line above the code.
        var comment = (_indent * 4) + line.Length > Width ? TrailingComment(line) : -1;
        if (comment > 0)
        {
            Line("//" + line.Substring(comment + 3));
            line = line.Substring(0, comment);
        }

        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    // Where a line's trailing " // " comment starts (outside string literals), or -1.
    private static int TrailingComment(string line)
    {
        if (line.TrimStart().StartsWith("//", StringComparison.Ordinal))
        {
            return -1;
        }

        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inString && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                inString = !inString;
            }
            else if (!inString && string.CompareOrdinal(line, i, " // ", 0, 4) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A declaration or call whose arguments go one per line when it does not fit in <see cref="Width"/>:
    /// <paramref name="head"/> + "(" + arguments + ")" + <paramref name="tail"/>.
    /// </summary>
    public CodeWriter Call(string head, string[] arguments, string tail = "")
    {
        var oneLine = head + "(" + string.Join(", ", arguments) + ")" + tail;
        if ((_indent * 4) + oneLine.Length <= Width)
        {
            return Line(oneLine);
        }

        Line(head + "(");
        _indent++;
        for (var i = 0; i < arguments.Length; i++)
        {
            Line(arguments[i] + (i < arguments.Length - 1 ? "," : ")" + tail));
        }

        _indent--;
        return this;
    }

    /// <summary>Writes a line and opens a brace block.</summary>
    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Opens a brace block on its own line.</summary>
    public CodeWriter OpenBrace()
    {
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        // No blank line before a closing brace.
        if (_text.Length >= 2 && _text[_text.Length - 1] == '\n' && _text[_text.Length - 2] == '\n')
        {
            _text.Length--;
        }

        _indent--;
        return Line("}" + suffix);
    }

    public CodeWriter Indent()
    {
        _indent++;
        return this;
    }

    public CodeWriter Outdent()
    {
        _indent--;
        return this;
    }

    /// <summary>Writes a multi-line block (each line indented).</summary>
    public CodeWriter Lines(string block)
    {
        foreach (var line in block.Replace("\r\n", "\n").Split('\n'))
        {
            Line(line);
        }

        return this;
    }

    /// <summary>An XML doc summary, with the text escaped.</summary>
    public CodeWriter Summary(string text) => SummaryXml(Xml(text));

    /// <summary>
    /// An XML doc summary whose text is already valid XML (it may hold &lt;see&gt; or &lt;paramref&gt;): on one
    /// line when it fits in <see cref="Width"/> columns, else wrapped at spaces between the tags.
    /// </summary>
    public CodeWriter SummaryXml(string xml)
    {
        var oneLine = "/// <summary>" + xml + "</summary>";
        if ((_indent * 4) + oneLine.Length <= Width)
        {
            return Line(oneLine);
        }

        Line("/// <summary>");
        var line = new StringBuilder();
        foreach (var word in Words(xml))
        {
            if (line.Length > 0 && (_indent * 4) + 4 + line.Length + 1 + word.Length > Width)
            {
                Line("/// " + line);
                line.Clear();
            }

            line.Append(line.Length == 0 ? "" : " ").Append(word);
        }

        if (line.Length > 0)
        {
            Line("/// " + line);
        }

        return Line("/// </summary>");
    }

    // The words of a summary, a tag with attributes (<paramref name="x"/>) kept as one.
    private static System.Collections.Generic.IEnumerable<string> Words(string xml)
    {
        var pending = "";
        foreach (var word in xml.Split(' '))
        {
            pending = pending.Length == 0 ? word : pending + " " + word;
            if (pending.LastIndexOf('<') <= pending.LastIndexOf('>'))
            {
                yield return pending;
                pending = "";
            }
        }

        if (pending.Length > 0)
        {
            yield return pending;
        }
    }

    /// <summary>The column generated lines aim to stay within.</summary>
    public const int Width = 120;

    public override string ToString() => _text.ToString();

    /// <summary>
    /// A C# string literal for any text: quotes, backslashes, control characters, every character C#
    /// takes as a line end (U+0085, U+2028, U+2029) and surrogates are written as escapes, so spec text
    /// can never end the literal or the line.
    /// </summary>
    public static string String(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append("\\\\");
                    break;
                case '"':
                    text.Append("\\\"");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// Spec text for a <c>//</c> comment: one line whatever it holds (every line end and control
    /// character becomes a space), so the text after it can never become code.
    /// </summary>
    public static string Comment(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            line.Append(NeedsEscape(c) ? (char.IsSurrogate(c) ? c : ' ') : c);
        }

        return line.ToString();
    }

    /// <summary>A C# double literal that reads back to the same value.</summary>
    public static string Number(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
    }

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Spec text for an XML doc comment: escaped for XML and kept on one line, like <see cref="Comment"/>.</summary>
    public static string Xml(string text) => Comment(text)
        .Replace("&", "&amp;")
        .Replace("<", "&lt;")
        .Replace(">", "&gt;");

    /// <summary>
    /// Whether a character may not stand as it is in generated code: control characters (line ends among
    /// them), C#'s other line ends (U+0085, U+2028, U+2029) and surrogates (escaped in literals; comments
    /// keep them, as UTF-8 output writes a pair as one character).
    /// </summary>
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' || char.IsSurrogate(c);

    /// <summary>A raw string literal that can hold <paramref name="text"/> (enough quotes to never collide).</summary>
    public static string RawQuotes(string text)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '"' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return new string('"', Math.Max(3, longest + 1));
    }
}
