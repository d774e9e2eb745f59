using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Spec;

/// <summary>Turns character offsets into zero-based line and column numbers, as Roslyn counts them.</summary>
internal sealed class LineMap
{
    private readonly List<int> _lineStarts = [0];
    private readonly int _length;

    public LineMap(string text)
    {
        _length = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
                _lineStarts.Add(i + 1);
            }
            else if (c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public int Clamp(int offset) => Math.Min(Math.Max(offset, 0), _length);

    public (int Line, int Column) Position(int offset)
    {
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return (line, offset - _lineStarts[line]);
    }
}
