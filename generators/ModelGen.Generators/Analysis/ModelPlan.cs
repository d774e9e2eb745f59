using ModelGen.Generators.Model;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Everything the emitter needs to write one model class, resolved and checked: names, shapes, the cut,
/// the head, the loss and every phase. Immutable, equatable and free of locations and Roslyn objects, so
/// the incremental pipeline regenerates code only when the model itself changes.
/// </summary>
internal sealed record ModelPlan(
    string HintName,
    string SpecPath,
    string SpecFileName,
    string SpecDirectory,
    string Namespace,
    string ClassName,
    string? Description,
    InputPlan Input,
    EquatableArray<LabelPlan> Labels,
    BackbonePlan Backbone,
    EquatableArray<HeadLayerPlan> Head,
    LossPlan Loss,
    TrainingPlan Training,
    EquatableArray<LayerConstant> LayerConstants,
    string Summary)
{
    public string LabelEnumName => ClassName + "Label";

    public bool HasLabels => Labels.Count > 0;
}

/// <summary>The input image: what the model takes (always 3 channels for RGB backbones) and what the spec gives.</summary>
internal sealed record InputPlan(int Height, int Width, int SourceChannels);

/// <summary>A declared label and its enum member.</summary>
internal sealed record LabelPlan(string Name, string Member);

/// <summary>The backbone as resolved: architecture, weights source, cut (as torchvision names) and output.</summary>
internal sealed record BackbonePlan(
    string Architecture,
    string Weights,
    string? OnnxPath,
    string? CutAt,
    string CutDisplay,
    EquatableArray<long> FeatureShape,
    long Parameters,
    string BatchNorm);

/// <summary>One layer of the head with its resolved sizes.</summary>
internal sealed record HeadLayerPlan(string Kind, string FieldName, long InFeatures, long OutFeatures, string Activation, double Rate, string OutputShape, long Parameters);

/// <summary>The loss and what the final layer produces.</summary>
internal sealed record LossPlan(bool IsBinary, long OutputUnits, string FinalActivation);

/// <summary><c>training</c> resolved.</summary>
internal sealed record TrainingPlan(
    int Seed,
    EquatableArray<string> Metrics,
    EarlyStoppingPlan? EarlyStopping,
    CheckpointPlan? Checkpoints,
    double? ValidationSplit,
    EquatableArray<PhasePlan> Phases);

/// <summary>
/// One phase resolved: freezing as a parameter boundary (<c>FirstTrainableParameter</c>: the first backbone
/// parameter that trains; null when the whole backbone is frozen), and whether it can train on cached features.
/// </summary>
internal sealed record PhasePlan(
    string Name,
    int Epochs,
    string FreezeDescription,
    string? FirstTrainableParameter,
    long TrainableBackboneParameters,
    int BatchSize,
    bool UsesFeatureCache,
    AugmentPlan? Augment,
    OptimizerPlan Optimizer,
    SchedulePlan? Schedule)
{
    public bool BackboneFrozen => FirstTrainableParameter is null;
}

internal sealed record OptimizerPlan(string Type, double LearningRate, double Momentum, double WeightDecay, bool Nesterov, double? BackboneLearningRate);

internal sealed record AugmentPlan(
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

internal sealed record EarlyStoppingPlan(string Monitor, int Patience, bool RestoreBest, double MinDelta);

internal sealed record CheckpointPlan(string Directory, int Keep);

internal sealed record SchedulePlan(string Type, int StepSize, double Gamma, double Factor, int Patience, double MinLearningRate);

/// <summary>A <c>Layers</c> constant: the C# name and the layer name it holds.</summary>
internal sealed record LayerConstant(string Member, string Value);
