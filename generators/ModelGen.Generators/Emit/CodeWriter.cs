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
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
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
    public CodeWriter Summary(string text) => Line("/// <summary>" + Xml(text) + "</summary>");

    /// <summary>An XML doc summary whose text is already valid XML (it may hold &lt;see&gt; or &lt;paramref&gt;).</summary>
    public CodeWriter SummaryXml(string xml) => Line("/// <summary>" + xml + "</summary>");

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
