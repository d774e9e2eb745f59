using Microsoft.Extensions.Logging;

namespace ModelGen.Tests.Infrastructure;

/// <summary>An <see cref="ILogger"/> that keeps every message, at every level, with its structured values.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<LogEntry> _entries = [];

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The messages as text, one line each (a message of several lines stays whole).</summary>
    public string Text => string.Join('\n', Entries.Select(e => e.Message));

    /// <summary>The entries of one event (an id of <see cref="LogEvents"/>).</summary>
    public IReadOnlyList<LogEntry> Of(int eventId) => Entries.Where(e => e.EventId.Id == eventId).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : new Dictionary<string, object?>();
        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, eventId, formatter(state, exception), properties, exception));
        }
    }
}

/// <summary>One message: its level, event, text and named values (<c>{OriginalFormat}</c> holds the template).</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception)
{
    public object? this[string name] => Properties[name];
}
