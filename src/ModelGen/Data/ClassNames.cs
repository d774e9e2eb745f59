namespace ModelGen.Data;

/// <summary>Checks class lists against what a model scores.</summary>
internal static class ClassNames
{
    /// <summary>Names for a model that has not seen data yet: class0, class1, ...</summary>
    public static IReadOnlyList<string> Placeholder(int count) => Enumerable.Range(0, count).Select(i => "class" + i).ToArray();

    /// <summary>
    /// The classes a model will use: <paramref name="found"/> (from the data) when they fit the model's
    /// output. When the spec declares labels, the data's classes must be those, in that order (ignoring case,
    /// as folders are matched): image folders were put in that order when they were opened, but features
    /// may come from anywhere (issue 18 item 7).
    /// </summary>
    /// <exception cref="ImageFolderException">The data has another number of classes than the model scores, or other classes than it declares.</exception>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> found, IReadOnlyList<string> declared, int classCount, string model)
    {
        if (declared.Count > 0 && !found.SequenceEqual(declared, StringComparer.OrdinalIgnoreCase))
        {
            throw new ImageFolderException(
                $"The data's classes are {string.Join(", ", found)}, but {model} declares the labels {string.Join(", ", declared)} (spec key: labels), "
                + "in the order of its outputs. Extract the features with this model (its Extract orders the class folders by the labels), "
                + "or give the data exactly these classes in this order.");
        }

        if (found.Count != classCount)
        {
            throw new ImageFolderException(
                $"{model} scores {classCount} classes, but the data has {found.Count} class folders ({string.Join(", ", found)}). "
                + (declared.Count > 0 ? "Its labels are " + string.Join(", ", declared) + "." : $"Change the last dense layer of the spec to {found.Count} units, or use data with {classCount} classes."));
        }

        return found;
    }

    /// <summary>The index of the class called <paramref name="name"/>: the exact name, else the one name that matches ignoring case.</summary>
    /// <exception cref="ArgumentException">No class has that name.</exception>
    public static int IndexOf(string name, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"'{name}' is not a class of the model; its classes are {string.Join(", ", classes)}.", nameof(name));
    }
}
