using System.Globalization;

namespace ModelGen.Training;

/// <summary>
/// The run a checkpoint belongs to: a random id and the time the run started (a resumed run keeps both),
/// so that two fresh runs of the same training are still told apart, and what the run trains
/// (<see cref="Fingerprint"/>). Checkpoint files carry the start and the id in their names, so that the
/// folder orders by run, then by epoch, without opening a file.
/// </summary>
/// <param name="Id">Twelve hexadecimal digits, random per fresh run.</param>
/// <param name="Started">When the run started, UTC.</param>
/// <param name="Fingerprint">What the run trains.</param>
internal sealed record RunStamp(string Id, DateTime Started, RunFingerprint Fingerprint)
{
    /// <summary>How <see cref="Started"/> is written in file names: fixed width, so that names sort by time.</summary>
    public const string StartedFormat = "yyyyMMdd'T'HHmmssfff";

    /// <summary>A fresh run's stamp.</summary>
    public static RunStamp Fresh(RunFingerprint fingerprint) =>
        new(Guid.NewGuid().ToString("N")[..12], DateTime.UtcNow, fingerprint);

    /// <summary>The start and the id as file names carry them.</summary>
    public string FileLabel => Started.ToUniversalTime().ToString(StartedFormat, CultureInfo.InvariantCulture) + "-" + Id;
}
