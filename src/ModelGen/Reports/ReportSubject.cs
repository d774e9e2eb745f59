using ModelGen.Data;
using ModelGen.Explain;
using static TorchSharp.torch;

namespace ModelGen.Reports;

/// <summary>
/// What a run report (report.html) shows of a generated model and how it scores data: the generated class
/// builds one for <c>Train</c> and <c>Evaluate</c>. The scoring functions take a batch on the model's device and
/// return the probability of every class, [N, classes].
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class ReportSubject
{
    /// <summary>Describes a model for its report.</summary>
    /// <param name="model">The model (the report puts it in evaluation mode to score).</param>
    /// <param name="modelName">The generated class's name.</param>
    /// <param name="specFileName">The spec's path relative to the project folder (or its file name).</param>
    /// <param name="summary">The model's <c>Summary()</c> table.</param>
    /// <param name="classes">The class names in output order.</param>
    /// <param name="device">The device the model runs on.</param>
    /// <param name="input">The model's input: size, gray or color, preprocessing.</param>
    /// <param name="scoreImages">Probabilities for a batch of preprocessed images [N, 3, H, W].</param>
    /// <param name="scoreFeatures">Probabilities for a batch of backbone features.</param>
    /// <param name="explain">The model's Grad-CAM of one image file for its predicted class; null where the report shows none.</param>
    /// <param name="owner">The generated model's assembly, which holds the spec's text as a resource.</param>
    public ReportSubject(nn.Module model, string modelName, string specFileName, string summary, IReadOnlyList<string> classes, Device device, ImageInput input, Func<Tensor, Tensor> scoreImages, Func<Tensor, Tensor> scoreFeatures, Func<string, Explanation>? explain, System.Reflection.Assembly? owner)
    {
        Model = model;
        ModelName = modelName;
        SpecFileName = specFileName;
        Summary = summary;
        Classes = classes;
        Device = device;
        Input = input;
        ScoreImages = scoreImages;
        ScoreFeatures = scoreFeatures;
        Explain = explain;
        Owner = owner;
    }

    /// <summary>
    /// A regression model's loss of predictions and targets [N, T] (its spec's <c>loss</c>); null for a classifier. When
    /// set, the scoring functions return the predicted targets [N, T], not probabilities, and the report shows MAE, RMSE
    /// and R² per target with the same loss as <c>Evaluate</c>.
    /// </summary>
    public Func<Tensor, Tensor, Tensor>? RegressionLoss { get; init; }

    internal nn.Module Model { get; }

    internal string ModelName { get; }

    internal string SpecFileName { get; }

    internal string Summary { get; }

    internal IReadOnlyList<string> Classes { get; }

    internal Device Device { get; }

    internal ImageInput Input { get; }

    internal Func<Tensor, Tensor> ScoreImages { get; }

    internal Func<Tensor, Tensor> ScoreFeatures { get; }

    internal Func<string, Explanation>? Explain { get; }

    internal System.Reflection.Assembly? Owner { get; }

    /// <summary>The name of the resource that holds a spec's text in the model's assembly (ModelGen.targets embeds every spec).</summary>
    internal static string SpecResource(string specFileName) => "ModelGen/specs/" + specFileName.Replace('\\', '/');

    /// <summary>The spec's text, embedded in the model's assembly by the build; null when it is not there (an assembly built without ModelGen's build logic).</summary>
    internal string? ReadSpec(out string where)
    {
        where = $"{SpecResource(SpecFileName)} in {Owner?.GetName().Name ?? "the model's assembly"}";
        using var stream = Owner?.GetManifestResourceStream(SpecResource(SpecFileName));
        if (stream is null || stream.Length > (1 << 20))
        {
            // A spec is a few kilobytes; anything larger is not a spec.
            return null;
        }

        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
