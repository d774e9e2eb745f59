using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ModelGen.Progress;

/// <summary>
/// Shows progress of long work (an epoch, an extraction): a live bar with throughput and time left on an
/// interactive console (Spectre.Console), or a line to the logger every 30 seconds when output is
/// redirected or <c>CI</c> is set. The line that ends the work is the caller's to log (it knows the results).
/// </summary>
internal sealed class ProgressDisplay : IDisposable
{
    private readonly string _title;
    private readonly long _total;
    private readonly string _unit;
    private readonly ILogger _logger;
    private readonly bool _lines;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task? _live;
    private readonly CancellationTokenSource _stop = new();
    private long _done;
    private string _status = "";
    private TimeSpan _lastLine = TimeSpan.Zero;

    private ProgressDisplay(string title, long total, string unit, ProgressMode mode, ILogger logger)
    {
        _title = title;
        _total = Math.Max(1, total);
        _unit = unit;
        _logger = logger;
        _lines = mode == ProgressMode.Lines;
        if (mode == ProgressMode.Bars)
        {
            _live = Task.Run(RunBar);
        }
    }

    /// <summary>The mode <see cref="ProgressMode.Auto"/> stands for on this console.</summary>
    public static ProgressMode Resolve(ProgressMode mode) =>
        // An explicit mode never touches the console: AnsiConsole builds its profile on first use.
        mode != ProgressMode.Auto
            ? mode
            : Resolve(mode, Console.IsOutputRedirected, Environment.GetEnvironmentVariable("CI"), AnsiConsole.Profile.Capabilities.Interactive);

    /// <summary>
    /// The decision behind <see cref="Resolve(ProgressMode)"/>, from what it reads of the console and the
    /// environment: an explicit mode stands; <see cref="ProgressMode.Auto"/> means bars only on an
    /// interactive terminal whose output is not redirected, outside CI (<c>CI</c> unset or empty).
    /// </summary>
    internal static ProgressMode Resolve(ProgressMode mode, bool outputRedirected, string? ciVariable, bool interactiveConsole) =>
        mode != ProgressMode.Auto ? mode
        : outputRedirected || !string.IsNullOrEmpty(ciVariable) || !interactiveConsole ? ProgressMode.Lines
        : ProgressMode.Bars;

    /// <summary>Starts showing progress of <paramref name="total"/> units of work; lines go to <paramref name="logger"/>.</summary>
    public static ProgressDisplay Start(string title, long total, string unit, ProgressMode mode, ILogger logger) =>
        new(title, total, unit, Resolve(mode), logger);

    /// <summary>Units done per second so far.</summary>
    public double Rate => _done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    /// <summary>Time since the start.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Records <paramref name="amount"/> more units done, with a short status (loss, accuracy).</summary>
    public void Advance(long amount, string? status = null)
    {
        Interlocked.Add(ref _done, amount);
        if (status is not null)
        {
            _status = status;
        }

        // Plain mode: a line every 30 seconds on long work, so CI logs show life.
        if (_lines && _clock.Elapsed - _lastLine > TimeSpan.FromSeconds(30))
        {
            _lastLine = _clock.Elapsed;
            _logger.ProgressLine(_title, _done, _total, _unit, Rate, _status);
        }
    }

    /// <summary>Stops the live bar (it is cleared from the console).</summary>
    public void Dispose()
    {
        StopBar();
        _stop.Dispose();
    }

    private void StopBar()
    {
        if (_live is null || _stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _live.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The display is cosmetic; a rendering problem must not fail the work.
        }
    }

    private void RunBar()
    {
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(_title), maxValue: _total);
                while (!_stop.IsCancellationRequested)
                {
                    task.Value = Interlocked.Read(ref _done);
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{_title} {Rate:0.0} {_unit}/s {_status}"));
                    context.Refresh();
                    _stop.Token.WaitHandle.WaitOne(100);
                }

                task.Value = Interlocked.Read(ref _done);
            });
    }
}
