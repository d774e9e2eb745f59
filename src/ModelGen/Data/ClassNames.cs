namespace ModelGen.Data;

/// <summary>Checks class lists against what a model scores.</summary>
internal static class ClassNames
{
    /// <summary>Names for a model that has not seen data yet: class0, class1, ...</summary>
    public static IReadOnlyList<string> Placeholder(int count) => Enumerable.Range(0, count).Select(i => "class" + i).ToArray();

    /// <summary>
    /// The classes a model will use: <paramref name="found"/> (from the data) when they fit the model's
    /// output; the declared labels already matched the folders when the data was opened.
    /// </summary>
    /// <exception cref="ImageFolderException">The data has another number of classes than the model scores.</exception>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> found, IReadOnlyList<string> declared, int classCount, string model)
    {
        if (found.Count != classCount)
        {
            throw new ImageFolderException(
                $"{model} scores {classCount} classes, but the data has {found.Count} class folders ({string.Join(", ", found)}). "
                + (declared.Count > 0 ? "Its labels are " + string.Join(", ", declared) + "." : $"Change the last dense layer of the spec to {found.Count} units, or use data with {classCount} classes."));
        }

        return found;
    }
}
