using System.Collections.Generic;
using ModelGen.Generators.Model;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Spec;

/// <summary>
/// A spec as written, with where each value was written so that later checks can point at it. It lives
/// only inside one compile step; what flows on through the pipeline is the location-free model plan.
/// </summary>
internal sealed record ModelSpec(
    string FilePath,
    Located<string> Model,
    Located<string>? Namespace,
    string? Description,
    InputSpec Input,
    IReadOnlyList<Located<string>>? Labels,
    BackboneSpec Backbone,
    FreezeSpec Freeze,
    BatchNormMode BatchNorm,
    IReadOnlyList<HeadLayerSpec> Head,
    SpecLocation HeadLocation,
    TrainingSpec Training,
    Located<TaskKind>? TaskKey = null,
    IReadOnlyList<Located<string>>? Targets = null)
{
    /// <summary><c>task</c>, classification when the spec leaves it out.</summary>
    public TaskKind Task => TaskKey?.Value ?? TaskKind.Classification;
}

/// <summary><c>input</c>: the image size the model takes, and whether images are gray.</summary>
internal sealed record InputSpec(int Height, int Width, int Channels, SpecLocation SizeLocation);

/// <summary><c>backbone</c>.</summary>
internal sealed record BackboneSpec(
    Located<string> Architecture,
    Located<string> Weights,
    Located<string>? Path,
    Located<string>? TruncateAt,
    Located<EquatableArray<long>>? FeatureShape,
    Located<string>? WeightsSha256 = null);

/// <summary><c>freeze</c>: all, none, or a layer to unfreeze from / freeze through, as written.</summary>
internal sealed record FreezeSpec(FreezeKind Kind, Located<string>? Layer)
{
    public static FreezeSpec All { get; } = new(FreezeKind.All, null);
}

/// <summary>One item of <c>head</c>: the layer and where it is written.</summary>
internal sealed record HeadLayerSpec(HeadLayer Layer, SpecLocation Location)
{
    public HeadLayerKind Kind => Layer.Kind;
}

/// <summary><c>training</c>, with defaults filled in.</summary>
internal sealed record TrainingSpec(
    int BatchSize,
    int Seed,
    Located<LossKind>? Loss,
    IReadOnlyList<Metric> Metrics,
    bool FeatureCache,
    Augmentation? Augment,
    EarlyStoppingSettings? EarlyStopping,
    CheckpointSettings? Checkpoints,
    double? ValidationSplit,
    IReadOnlyList<PhaseSpec> Phases,
    double LabelSmoothing = 0,
    ClassWeightsSpec? ClassWeights = null,
    double FocalGamma = 0,
    EmaSettings? Ema = null,
    double HuberDelta = 1.0);

/// <summary>
/// <c>training.class_weights</c>: <c>balanced</c> (weights from the class counts of the training data) or a weight per
/// label (labels left out weigh 1), each with where its label is written.
/// </summary>
internal sealed record ClassWeightsSpec(bool Balanced, IReadOnlyList<(Located<string> Label, double Weight)> Weights, SpecLocation Location);

/// <summary>One training phase (the single-phase shorthand becomes one phase named "train").</summary>
internal sealed record PhaseSpec(
    string Name,
    SpecLocation Location,
    int Epochs,
    FreezeSpec Freeze,
    OptimizerSettings Optimizer,
    Augmentation? Augment,
    int BatchSize,
    bool FeatureCache,
    ScheduleSettings? Schedule,
    int AccumulateBatches = 1,
    double? GradClipNorm = null);
