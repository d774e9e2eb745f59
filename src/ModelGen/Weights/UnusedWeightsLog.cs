namespace ModelGen.Weights;

/// <summary>
/// Where the tensors of a weights file that the backbone does not use are reported: standard error by
/// default, one summary line per file. They are expected when a whole network's weights load into a
/// backbone cut earlier (the classifier, the layers beyond the cut), so they never fail the load; a
/// tensor that should have been used shows up here by name.
/// </summary>
public static class UnusedWeightsLog
{
    /// <summary>Receives (weights file, names of the tensors the backbone does not use) after a load that left some; set to null to silence.</summary>
    public static Action<string, IReadOnlyList<string>>? Handler { get; set; } = (path, unused) => Console.Error.WriteLine("warning: " + Summary(path, unused));

    /// <summary>One line naming the file, how many of its tensors were not used, and the first few of them.</summary>
    public static string Summary(string path, IReadOnlyList<string> unused) =>
        $"{unused.Count} tensor(s) of {path} are not used by the backbone and were ignored ({string.Join(", ", unused.Take(5))}"
        + $"{(unused.Count > 5 ? $", and {unused.Count - 5} more" : "")}); expected for the classifier and the layers beyond the cut.";

    internal static void Report(string path, IReadOnlyList<string> unused)
    {
        if (unused.Count > 0)
        {
            Handler?.Invoke(path, unused);
        }
    }
}
