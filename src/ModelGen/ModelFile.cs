using System.Text.Json;
using ModelGen.Storage;
using static TorchSharp.torch;

namespace ModelGen;

/// <summary>
/// A trained model on disk, in ModelGen's checksummed container (kind MODL): a JSON header (model class,
/// fingerprint of its shape, classes, ModelGen version) and the state dict. Written atomically; loading
/// checks the whole file (layout, checksum, header) before it changes the model. Only weights forged
/// behind a matching checksum are found while loading them, which can leave the model partly loaded:
/// the generated <c>Load</c> disposes it then.
/// </summary>
internal static class ModelFile
{
    private const string StateTag = "STAT";

    /// <summary>Version 1 was the layout before the container (magic MGMODEL1).</summary>
    private static readonly FileFormat Format = new("MODL", Version: 2, "model file", "MGMODEL1");

    private static readonly JsonSerializerOptions Json = ChecksummedFile.StrictJson();

    /// <summary>Saves <paramref name="model"/> with its class names.</summary>
    public static void Save(nn.Module model, string path, string modelName, string fingerprint, IReadOnlyList<string> classes)
    {
        var header = new Header(modelName, fingerprint, [.. classes], typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "0");
        ChecksummedFile.Write(path, Format, header, Json, [new FileSection(StateTag, stream => model.save(stream))]);
    }

    /// <summary>
    /// Loads the state saved by <see cref="Save"/> into <paramref name="model"/> and returns the class names.
    /// When the spec declares labels (<paramref name="declaredClasses"/> not empty), the saved classes must be
    /// those, in that order (ignoring case, as class folders are matched): the model's outputs and its
    /// <c>Label</c> enum follow that order.
    /// </summary>
    /// <exception cref="ModelFileException">
    /// The file is missing, damaged, saved by another model or with other classes, or saved by another
    /// version of ModelGen; the message says which, and what to do.
    /// </exception>
    public static IReadOnlyList<string> Load(nn.Module model, string path, string modelName, string fingerprint, IReadOnlyList<string> declaredClasses)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException($"The model file {path} does not exist.");
        }

        try
        {
            using var file = ChecksummedFile.Open(path, Format);
            var header = file.Header<Header>(Json);
            if (header.Classes.Any(c => c is null))
            {
                throw new ModelFileException($"The model file {path} is damaged: its header lists a class without a name.");
            }

            if (header.Model != modelName || header.Fingerprint != fingerprint)
            {
                throw new ModelFileException(
                    $"The model file {path} was saved by {header.Model} (shape {header.Fingerprint}), not by this {modelName} (shape {fingerprint}): "
                    + "the architecture, cut, input size or head differ. Load it with the model class that saved it.");
            }

            if (declaredClasses.Count > 0 && !header.Classes.SequenceEqual(declaredClasses, StringComparer.OrdinalIgnoreCase))
            {
                throw new ModelFileException(
                    $"The model file {path} was saved with the classes {string.Join(", ", header.Classes)}, but {modelName} declares the labels "
                    + $"{string.Join(", ", declaredClasses)} (spec key: labels), in the order of its outputs. Load it with a spec whose labels "
                    + "are the saved classes in that order, or train and save the model again with this spec.");
            }

            using var state = file.OpenSection(StateTag);
            LoadState(model, state, path, modelName);
            return header.Classes;
        }
        catch (ChecksummedFileException e)
        {
            throw new ModelFileException(Explain(e), e);
        }
    }

    private static void LoadState(nn.Module model, Stream state, string path, string modelName)
    {
        try
        {
            model.load(state);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The checksum matched, so the file is as written: forged, or written by a model that only claims this shape.
            throw new ModelFileException($"The model file {path} passed its checksum, but its weights do not fit {modelName} ({e.Message}). Save the trained model again.", e);
        }
    }

    private static string Explain(ChecksummedFileException e) => e.Problem switch
    {
        FileProblem.OlderFormat => $"The model file {e.Path} cannot be loaded: {e.Reason}, which this version does not read. Train the model again with this version and save it (or keep using the file with the ModelGen that saved it).",
        FileProblem.NewerFormat => $"The model file {e.Path} cannot be loaded: {e.Reason}. Update ModelGen to load it.",
        FileProblem.NotThisFormat => $"{e.Path} cannot be loaded: {e.Reason} (one written by a generated model's Save method).",
        FileProblem.Damaged => $"The model file {e.Path} cannot be loaded: {e.Reason}. Save the trained model again, or use an intact copy of the file.",
        _ => $"The model file {e.Path} cannot be loaded: {e.Reason}.",
    };

    private sealed record Header(string Model, string Fingerprint, string[] Classes, string Version);
}
