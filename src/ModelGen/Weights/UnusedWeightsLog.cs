namespace ModelGen.Weights;

/// <summary>
/// Where the tensors of a weights file that belong to no layer of the backbone's network are reported:
/// standard error by default, one summary line per file. A whole network's weights loading into a
/// backbone cut earlier is the normal case: its classifier and the layers beyond the cut are not reported.
/// Unknown tensors never fail the load (the missing and mis-shaped ones do); they show up here by name.
/// </summary>
public static class UnusedWeightsLog
{
    /// <summary>Receives (weights file, names of its tensors that belong to no layer of the network) after a load that left some; set to null to silence.</summary>
    public static Action<string, IReadOnlyList<string>>? Handler { get; set; } = (path, unused) => Console.Error.WriteLine("warning: " + Summary(path, unused));

    /// <summary>One line naming the file, how many of its tensors were not used, and the first few of them.</summary>
    public static string Summary(string path, IReadOnlyList<string> unused) =>
        $"{unused.Count} tensor(s) of {path} belong to no layer of the backbone's network and were ignored ({string.Join(", ", unused.Take(5))}"
        + $"{(unused.Count > 5 ? $", and {unused.Count - 5} more" : "")}); check that the file holds the weights of this architecture.";

    internal static void Report(string path, IReadOnlyList<string> unused)
    {
        if (unused.Count > 0)
        {
            Handler?.Invoke(path, unused);
        }
    }
}
