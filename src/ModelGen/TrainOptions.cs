using Microsoft.Extensions.Logging;

namespace ModelGen;

/// <summary>Choices for one call of a generated <c>Train</c> method.</summary>
public sealed record TrainOptions
{
    /// <summary>Continue from the newest checkpoint of an earlier run (after a crash or a stop); default false.</summary>
    public bool Resume { get; init; }

    /// <summary>Overrides the spec's <c>training.checkpoints.dir</c>.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Where the history (CSV and JSON) and the training curves (PNG) are written; default:
    /// <c>training/&lt;Model&gt;</c>, the model's one output folder, which also holds its checkpoints
    /// (<c>training/&lt;Model&gt;/checkpoints</c>) unless the spec puts them elsewhere.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>How progress is shown; default <see cref="ProgressMode.Auto"/>.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Caps the epochs of every phase (quick runs, smoke tests); null runs the spec's epochs.</summary>
    public int? MaxEpochsPerPhase { get; init; }

    /// <summary>
    /// Where this call's training messages go (epoch lines, resuming, early stopping, the closing summary),
    /// instead of the model's <see cref="ModelOptions.Logger"/>; null (the default) uses the model's.
    /// </summary>
    public ILogger? Logger { get; init; }
}

/// <summary>
/// How training and extraction show progress. Live bars are drawn on the console; everything else (the
/// line that ends each epoch or extraction, the lines of long work, the closing summary) goes to the logger
/// (<see cref="ModelOptions.Logger"/>, <see cref="TrainOptions.Logger"/>), so with the default null logger
/// only the bars are seen.
/// </summary>
public enum ProgressMode
{
    /// <summary>Live bars on an interactive console; plain lines when output is redirected or <c>CI</c> is set.</summary>
    Auto,

    /// <summary>Live progress bars on the console, and a line to the logger at the end of each epoch or extraction.</summary>
    Bars,

    /// <summary>Lines to the logger: one per epoch or extraction, and one every 30 seconds of long work.</summary>
    Lines,

    /// <summary>No progress at all (warnings, resuming and early stopping are still logged).</summary>
    None,
}
