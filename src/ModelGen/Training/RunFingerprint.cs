namespace ModelGen.Training;

/// <summary>
/// What makes two runs the same training, as a checkpoint records it: a run resumes from a checkpoint only
/// when all of it matches. <see cref="Layout"/> is read from the model itself (its state dict's names and
/// shapes), so that weights that would not load are found even for a run started without its identity.
/// </summary>
/// <param name="Shape">The generated class's shape fingerprint; empty when not given.</param>
/// <param name="Layout">A hash of the model's state dict: every entry's name, shape and type.</param>
/// <param name="Plan">The generated class's training-plan fingerprint; empty when not given.</param>
/// <param name="Data">What the run trains on, in words; empty when not given.</param>
/// <param name="Seed">The run's seed.</param>
internal sealed record RunFingerprint(string Shape, string Layout, string Plan, string Data, int Seed)
{
    private const int ShownLength = 300;

    /// <summary>What differs between a checkpoint's run (<paramref name="saved"/>) and this one, in words; empty when they are the same training.</summary>
    public IReadOnlyList<string> DifferencesFrom(RunFingerprint saved)
    {
        var differences = new List<string>();
        if (saved.Shape != Shape || saved.Layout != Layout)
        {
            differences.Add(saved.Shape != Shape
                ? $"the model's shape differs (architecture, cut, input size or head: the checkpoint's is {Shown(saved.Shape)}, this model's {Shown(Shape)})"
                : $"the model's shape differs (its weights differ in names or sizes: the checkpoint's layout is {saved.Layout}, this model's {Layout})");
        }

        if (saved.Plan != Plan)
        {
            differences.Add($"the training plan differs (phases, epochs, freezing, batch sizes, optimizers, schedules, augmentation, early stopping or loss: the checkpoint's is {Shown(saved.Plan)}, this run's {Shown(Plan)})");
        }

        if (saved.Data != Data)
        {
            differences.Add($"the training data differs (the checkpoint's: {Shown(saved.Data)}; this run's: {Shown(Data)})");
        }

        if (saved.Seed != Seed)
        {
            differences.Add($"the seed differs (the checkpoint's is {saved.Seed}, this run's {Seed})");
        }

        return differences;
    }

    private static string Shown(string value) =>
        value.Length == 0 ? "not recorded" : value.Length <= ShownLength ? value : value[..ShownLength] + "...";
}
