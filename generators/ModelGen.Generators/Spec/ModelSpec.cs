using System.Collections.Generic;
using ModelGen.Generators.Model;

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
    string BatchNorm,
    IReadOnlyList<HeadLayerSpec> Head,
    SpecLocation HeadLocation,
    TrainingSpec Training);

/// <summary><c>input</c>: the image size the model takes, and whether images are gray.</summary>
internal sealed record InputSpec(int Height, int Width, int Channels, SpecLocation SizeLocation);

/// <summary><c>backbone</c>.</summary>
internal sealed record BackboneSpec(
    Located<string> Architecture,
    Located<string> Weights,
    Located<string>? Path,
    Located<string>? TruncateAt,
    Located<EquatableArray<long>>? FeatureShape);

/// <summary>The kinds of <c>freeze</c> policy.</summary>
internal enum FreezeKind
{
    All,
    None,
    TrainableFrom,
    FrozenThrough,
}

/// <summary><c>freeze</c>: all, none, or a layer to unfreeze from / freeze through.</summary>
internal sealed record FreezeSpec(FreezeKind Kind, Located<string>? Layer)
{
    public static FreezeSpec All { get; } = new(FreezeKind.All, null);
}

/// <summary>The kinds of head layer.</summary>
internal enum HeadLayerKind
{
    Flatten,
    GlobalAvgPool,
    GlobalMaxPool,
    Dense,
    Dropout,
}

/// <summary>One item of <c>head</c>.</summary>
internal sealed record HeadLayerSpec(HeadLayerKind Kind, int Units, string Activation, double Rate, SpecLocation Location);

/// <summary><c>training</c>, with defaults filled in.</summary>
internal sealed record TrainingSpec(
    int BatchSize,
    int Seed,
    Located<string>? Loss,
    IReadOnlyList<string> Metrics,
    bool FeatureCache,
    AugmentSpec? Augment,
    EarlyStoppingSpec? EarlyStopping,
    CheckpointSpec? Checkpoints,
    double? ValidationSplit,
    IReadOnlyList<PhaseSpec> Phases);

/// <summary>One training phase (the single-phase shorthand becomes one phase named "train").</summary>
internal sealed record PhaseSpec(
    string Name,
    SpecLocation Location,
    int Epochs,
    FreezeSpec Freeze,
    OptimizerSpec Optimizer,
    AugmentSpec? Augment,
    int BatchSize,
    bool FeatureCache,
    ScheduleSpec? Schedule);

/// <summary><c>optimizer</c>.</summary>
internal sealed record OptimizerSpec(string Type, double LearningRate, double Momentum, double WeightDecay, bool Nesterov, double? BackboneLearningRate);

/// <summary><c>augment</c>, with Keras ImageDataGenerator meanings.</summary>
internal sealed record AugmentSpec(
    double Rotation,
    double WidthShift,
    double HeightShift,
    double Shear,
    double ZoomLow,
    double ZoomHigh,
    bool HorizontalFlip,
    bool VerticalFlip,
    double BrightnessLow,
    double BrightnessHigh,
    string Fill);

/// <summary><c>early_stopping</c>.</summary>
internal sealed record EarlyStoppingSpec(string Monitor, int Patience, bool RestoreBest, double MinDelta);

/// <summary><c>checkpoints</c>.</summary>
internal sealed record CheckpointSpec(string Directory, int Keep);

/// <summary><c>schedule</c>: how the learning rate changes over a phase.</summary>
internal sealed record ScheduleSpec(string Type, int StepSize, double Gamma, double Factor, int Patience, double MinLearningRate);
