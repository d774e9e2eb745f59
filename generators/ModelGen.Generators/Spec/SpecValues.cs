using System;
using System.Globalization;
using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Shared;

namespace ModelGen.Generators.Spec;

/// <summary>Reads scalar values of the expected type, reporting problems at the value.</summary>
internal static class SpecValues
{
    public static Located<string>? String(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            return new Located<string>(scalar.Value, scalar.Location);
        }

        diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a text value", node.KindName);
        return null;
    }

    public static int? Int(SpecNode node, string name, int min, int max, DiagnosticBag diagnostics)
    {
        if (node is not ScalarNode { IsNull: false, IsQuoted: false } scalar)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a whole number", node.KindName);
            return null;
        }

        if (!long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsNaN(real))
            {
                var kind = Math.Abs(real) > max ? "too large" : "not a whole number";
                diagnostics.Add(DiagnosticDescriptors.OutOfRange, scalar.Location, name, $"{Shorten(scalar.Value)} ({kind})", $"a whole number from {min:N0} to {max:N0}");
            }
            else
            {
                diagnostics.Add(DiagnosticDescriptors.WrongType, scalar.Location, name, "a whole number", scalar.KindName);
            }

            return null;
        }

        if (value < min || value > max)
        {
            diagnostics.Add(DiagnosticDescriptors.OutOfRange, scalar.Location, name, Shorten(scalar.Value), $"a whole number from {min:N0} to {max:N0}");
            return null;
        }

        return (int)value;
    }

    public static double? Double(SpecNode node, string name, double min, double max, bool minExclusive, bool maxExclusive, DiagnosticBag diagnostics)
    {
        if (node is not ScalarNode { IsNull: false, IsQuoted: false } scalar
            || !double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a number", node.KindName);
            return null;
        }

        var tooLow = minExclusive ? value <= min : value < min;
        var tooHigh = maxExclusive ? value >= max : value > max;
        if (double.IsNaN(value) || double.IsInfinity(value) || tooLow || tooHigh)
        {
            var range = $"{(minExclusive ? "greater than" : "at least")} {Format(min)} and {(maxExclusive ? "less than" : "at most")} {Format(max)}";
            diagnostics.Add(DiagnosticDescriptors.OutOfRange, scalar.Location, name, Shorten(scalar.Value), range);
            return null;
        }

        return value;
    }

    public static bool? Bool(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode { IsNull: false, IsQuoted: false } scalar)
        {
            if (string.Equals(scalar.Value, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(scalar.Value, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "true or false", node.KindName);
        return null;
    }

    /// <summary>A word from a closed set of the spec (compared ignoring case), as the member it stands for.</summary>
    public static Located<T>? Choice<T>(SpecNode node, string name, Vocabulary<T> vocabulary, string what, DiagnosticBag diagnostics)
        where T : struct, Enum
    {
        if (String(node, name, diagnostics) is not { } text)
        {
            return null;
        }

        if (vocabulary.TryParse(text.Value, out var value))
        {
            return new Located<T>(value, text.Location);
        }

        var lower = text.Value.Trim().ToLowerInvariant();
        diagnostics.Add(DiagnosticDescriptors.InvalidChoice, text.Location, Shorten(text.Value), what, Suggestions.DidYouMean(lower, vocabulary.Words), string.Join(", ", vocabulary.Words));
        return null;
    }

    public static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 40 ? text.Substring(0, 37) + "..." : text;
}
