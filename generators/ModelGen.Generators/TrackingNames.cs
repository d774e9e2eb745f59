namespace ModelGen.Generators;

/// <summary>The names of the generator's pipeline steps, so that tests can check what was cached.</summary>
internal static class TrackingNames
{
    public const string ProjectOptions = nameof(ProjectOptions);
    public const string SpecTexts = nameof(SpecTexts);
    public const string Compiled = nameof(Compiled);
    public const string Plans = nameof(Plans);
    public const string Diagnostics = nameof(Diagnostics);
    public const string ModelNames = nameof(ModelNames);
    public const string Duplicates = nameof(Duplicates);
    public const string Emittable = nameof(Emittable);
    public const string StandIns = nameof(StandIns);
}
