using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Generators.Spec;

/// <summary>"Did you mean ...?" for misspelled keys and names.</summary>
internal static class Suggestions
{
    /// <summary>
    /// The closest candidate within a small edit distance, or null; also null when several are equally close
    /// (<c>layer5</c> is as close to <c>layer1</c> as to <c>layer4</c>: naming one would mislead). A value that
    /// is the start of exactly one candidate (<c>truncate</c> for <c>truncate_at</c>) suggests it.
    /// </summary>
    public static string? Nearest(string value, IEnumerable<string> candidates)
    {
        var list = candidates.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var lower = value.ToLowerInvariant();
        var distances = list.Select(c => (Candidate: c, Distance: Distance(lower, c.ToLowerInvariant()))).ToList();
        if (distances.Count > 0)
        {
            var bestDistance = distances.Min(d => d.Distance);
            var best = distances.Where(d => d.Distance == bestDistance).ToList();
            if (bestDistance <= Math.Max(2, value.Length / 3))
            {
                return best.Count == 1 ? best[0].Candidate : null;
            }
        }

        var extended = value.Length >= 4 ? list.Where(c => c.StartsWith(value, StringComparison.OrdinalIgnoreCase)).ToList() : [];
        return extended.Count == 1 ? extended[0] : null;
    }

    /// <summary>" (did you mean 'x'?)" or nothing.</summary>
    public static string DidYouMean(string value, IEnumerable<string> candidates)
    {
        var nearest = Nearest(value, candidates);
        return nearest is null ? "" : $" (did you mean '{nearest}'?)";
    }

    /// <summary>Optimal string alignment distance (Levenshtein with transpositions), capped for long inputs.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return a == b ? 0 : int.MaxValue / 2;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
