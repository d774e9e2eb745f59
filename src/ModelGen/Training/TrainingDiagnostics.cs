using System.Diagnostics;

namespace ModelGen.Training;

/// <summary>
/// In-process observation of a training run, the way ASP.NET Core and HttpClient offer theirs: a
/// <see cref="DiagnosticListener"/> named <see cref="ListenerName"/> that profilers and debuggers subscribe to
/// (<see cref="DiagnosticListener.AllListeners"/>). It writes <see cref="EpochStartingName"/> as each epoch starts, with
/// an <see cref="EpochStarting"/> payload: the live model and optimizer, so that a subscriber can look at what
/// trains and what the optimizer holds (for example, that a resumed run starts its epoch exactly as the run it
/// continues would have). Nothing is computed while no one listens.
/// </summary>
internal static class TrainingDiagnostics
{
    /// <summary>The listener's name.</summary>
    public const string ListenerName = "ModelGen.Training";

    /// <summary>The event written when an epoch starts, before its first batch.</summary>
    public const string EpochStartingName = "ModelGen.Training.EpochStarting";

    private static readonly DiagnosticListener Listener = new(ListenerName);

    /// <summary>Writes <see cref="EpochStartingName"/> when someone listens for it.</summary>
    public static void OnEpochStarting(Func<EpochStarting> payload)
    {
        if (Listener.IsEnabled(EpochStartingName))
        {
            Listener.Write(EpochStartingName, payload());
        }
    }
}
