using System;
using System.Collections.Generic;

namespace ModelGen.Shared;

/// <summary>
/// A closed set of spec words and the enum members they stand for: the one place where a spec's text
/// becomes a typed value (generator) and a typed value becomes text again (messages, summaries).
/// </summary>
/// <typeparam name="T">The enum the words stand for.</typeparam>
internal sealed class Vocabulary<T>
    where T : struct, Enum
{
    private readonly KeyValuePair<string, T>[] _entries;

    /// <summary>Creates a vocabulary; the first word given for a member is the one <see cref="WordOf"/> returns.</summary>
    public Vocabulary(params KeyValuePair<string, T>[] entries)
    {
        _entries = entries;
        var words = new List<string>();
        foreach (var entry in entries)
        {
            words.Add(entry.Key);
        }

        Words = words;
    }

    /// <summary>Every word, in the order given (for messages that list the valid choices).</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The member a word stands for, ignoring case and surrounding spaces.</summary>
    public bool TryParse(string word, out T value)
    {
        var trimmed = word.Trim();
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                value = entry.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The spec word of a member (its first word).</summary>
    public string WordOf(T value)
    {
        foreach (var entry in _entries)
        {
            if (EqualityComparer<T>.Default.Equals(entry.Value, value))
            {
                return entry.Key;
            }
        }

        return value.ToString();
    }
}

/// <summary>Shorthand for vocabulary entries.</summary>
internal static class Word
{
    public static KeyValuePair<string, T> Of<T>(string word, T value) => new(word, value);
}
