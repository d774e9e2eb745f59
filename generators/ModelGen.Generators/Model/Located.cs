namespace ModelGen.Generators.Model;

/// <summary>A value read from a spec together with where it was written.</summary>
internal sealed record Located<T>(T Value, SpecLocation Location);
