namespace ModelGen.Training;

/// <summary>The phases of a run that are finished (all epochs run, or stopped early), in the order they finished.</summary>
internal sealed class CompletedPhases
{
    private readonly List<string> _names = [];

    public bool Contains(string phase) => _names.Contains(phase);

    public void Add(string phase)
    {
        if (!_names.Contains(phase))
        {
            _names.Add(phase);
        }
    }

    public string[] ToArray() => [.. _names];
}
