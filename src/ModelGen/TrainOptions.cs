namespace ModelGen;

/// <summary>Choices for one call of a generated <c>Train</c> method.</summary>
public sealed record TrainOptions
{
    /// <summary>Continue from the newest checkpoint of an earlier run (after a crash or a stop); default false.</summary>
    public bool Resume { get; init; }

    /// <summary>Overrides the spec's <c>training.checkpoints.dir</c>.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Where the history (CSV and JSON) and the training curves (PNG) are written; default: the checkpoint
    /// folder, or <c>training/&lt;Model&gt;</c> when checkpoints are off.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>How progress is shown; default <see cref="ProgressMode.Auto"/>.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Caps the epochs of every phase (quick runs, smoke tests); null runs the spec's epochs.</summary>
    public int? MaxEpochsPerPhase { get; init; }

    /// <summary>Where progress lines go; default the console.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>How training and extraction show progress.</summary>
public enum ProgressMode
{
    /// <summary>Live bars on an interactive console; plain lines when output is redirected or <c>CI</c> is set.</summary>
    Auto,

    /// <summary>Live progress bars.</summary>
    Bars,

    /// <summary>One plain line per epoch.</summary>
    Lines,

    /// <summary>Nothing.</summary>
    None,
}
