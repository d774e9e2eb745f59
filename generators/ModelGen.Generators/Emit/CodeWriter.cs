using System;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

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

    /// <summary>A C# string literal.</summary>
    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>A C# double literal that reads back to the same value.</summary>
    public static string Number(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
    }

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Escapes text for XML doc comments and keeps it on one line.</summary>
    public static string Xml(string text) => text
        .Replace("&", "&amp;")
        .Replace("<", "&lt;")
        .Replace(">", "&gt;")
        .Replace("\r", " ")
        .Replace("\n", " ");

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
