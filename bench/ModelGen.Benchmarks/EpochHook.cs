using Microsoft.Extensions.Logging;

namespace ModelGen.Benchmarks;

/// <summary>A logger that calls <paramref name="atEpochEnd"/> when a training epoch ends (ModelGen's epoch line), and keeps nothing.</summary>
internal sealed class EpochHook(Action atEpochEnd) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id is LogEvents.EpochCompleted or LogEvents.EpochCompletedWithValidation)
        {
            atEpochEnd();
        }
    }
}
