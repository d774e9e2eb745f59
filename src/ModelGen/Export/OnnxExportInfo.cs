namespace ModelGen.Export;

/// <summary>What the exported file says about the model: its name, classes and spec.</summary>
/// <param name="Model">The generated class's name.</param>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Description">A line about the spec, stored in the metadata and the model's doc string.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record OnnxExportInfo(string Model, IReadOnlyList<string> Classes, string Description);
