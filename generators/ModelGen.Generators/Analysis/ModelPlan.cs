using ModelGen.Generators.Model;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Everything the emitter needs to write one model class, resolved and checked: names, shapes, the cut,
/// the head, the loss and every phase. Immutable, equatable and free of locations and Roslyn objects, so
/// the incremental pipeline regenerates code only when the model itself changes. Closed sets are the
/// shared vocabulary's enums and settings records (src/Shared), the same types the runtime takes.
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
    string Summary,
    TaskKind Task = TaskKind.Classification,
    EquatableArray<TargetPlan> Targets = default)
{
    public string LabelEnumName => GeneratedNames.LabelEnum(ClassName);

    public bool HasLabels => Labels.Count > 0;

    /// <summary>Whether the model picks one class per image (task: classification, the default).</summary>
    public bool IsClassification => Task == TaskKind.Classification;

    /// <summary>Whether the model predicts the numbers named in <c>targets</c> (task: regression).</summary>
    public bool IsRegression => Task == TaskKind.Regression;

    /// <summary>The record a regression model's <c>Predict</c> returns.</summary>
    public string PredictionRecordName => GeneratedNames.PredictionRecord(ClassName);
}

/// <summary>A declared regression target: the manifest column as written and its property name.</summary>
internal sealed record TargetPlan(string Name, string Member);

/// <summary>The input image: what the model takes (always 3 channels for RGB backbones) and what the spec gives.</summary>
internal sealed record InputPlan(int Height, int Width, int SourceChannels);

/// <summary>A declared label and its enum member.</summary>
internal sealed record LabelPlan(string Name, string Member);

/// <summary>
/// The backbone as resolved: architecture, weights (ImageNet, none, or <c>WeightsFile</c>), the cut as the
/// runtime names it (<c>CutAt</c>; null for the end) and as the spec writes it (<c>CutDisplay</c>, a Keras
/// name for example), the output shape, the parameter count and the batch-norm mode.
/// </summary>
internal sealed record BackbonePlan(
    Architecture Architecture,
    WeightsKind Weights,
    string? WeightsFile,
    string? OnnxPath,
    string? CutAt,
    string CutDisplay,
    EquatableArray<long> FeatureShape,
    long Parameters,
    BatchNormMode BatchNorm,
    string? WeightsUrl = null,
    string? WeightsSha256 = null);

/// <summary>One layer of the head, with the sizes the analysis resolved for the summary.</summary>
internal sealed record HeadLayerPlan(HeadLayer Layer, long InFeatures, string OutputShape, long Parameters)
{
    public HeadLayerKind Kind => Layer.Kind;
}

/// <summary>The loss and what the final layer produces.</summary>
/// <param name="Kind">The loss.</param>
/// <param name="OutputUnits">The head's output units.</param>
/// <param name="FinalActivation">The head's last activation.</param>
/// <param name="LabelSmoothing">
/// <c>training.label_smoothing</c>: the share ε of each target spread evenly over the classes (0: none). Categorical:
/// the target is (1 - ε) on the true class plus ε / K on every class; binary: the 0/1 target becomes y (1 - ε) + ε / 2.
/// </param>
/// <param name="ClassWeights"><c>training.class_weights</c>, or null: the training loss weighs every class alike.</param>
/// <param name="FocalGamma"><c>training.focal_gamma</c>: γ of the focal loss, 0 for cross-entropy.</param>
/// <param name="Task"><c>task</c>: what the outputs mean (one class, a score per label, or numbers).</param>
/// <param name="HuberDelta"><c>training.huber_delta</c>: δ of the Huber loss (regression).</param>
internal sealed record LossPlan(LossKind Kind, long OutputUnits, Activation FinalActivation, double LabelSmoothing = 0, ClassWeightsPlan? ClassWeights = null, double FocalGamma = 0, TaskKind Task = TaskKind.Classification, double HuberDelta = 1.0)
{
    /// <summary>One logit for two classes (task: classification with binary cross-entropy); multi-label's per-label binary loss is not this.</summary>
    public bool IsBinary => Kind == LossKind.BinaryCrossEntropy && Task == TaskKind.Classification;

    /// <summary>Whether the loss needs the runtime's losses (class weights or focal loss) rather than PyTorch's plain ones.</summary>
    public bool IsCustom => ClassWeights is not null || FocalGamma > 0;
}

/// <summary><c>training.class_weights</c>: balanced, or explicit weights by label (labels left out weigh 1).</summary>
internal sealed record ClassWeightsPlan(bool Balanced, EquatableArray<ClassWeightPlan> Weights);

/// <summary>One explicit class weight.</summary>
internal sealed record ClassWeightPlan(string Label, double Weight);

/// <summary><c>training</c> resolved (<c>metrics</c> is checked but changes no code: accuracy and loss are always reported).</summary>
/// <param name="Seed"><c>training.seed</c>.</param>
/// <param name="EarlyStopping"><c>training.early_stopping</c>, or null.</param>
/// <param name="Checkpoints"><c>training.checkpoints</c>, or null.</param>
/// <param name="ValidationSplit"><c>training.validation_split</c>, or null.</param>
/// <param name="Phases">The phases, in order.</param>
/// <param name="Ema"><c>training.ema</c>, or null: the run keeps an average of the trained weights, which validation scores and the trained model holds.</param>
internal sealed record TrainingPlan(
    int Seed,
    EarlyStoppingSettings? EarlyStopping,
    CheckpointSettings? Checkpoints,
    double? ValidationSplit,
    EquatableArray<PhasePlan> Phases,
    EmaSettings? Ema = null);

/// <summary>
/// One phase resolved: freezing as a typed boundary (for catalog backbones, the first parameter that
/// trains), how many backbone parameters train (null when only the run time knows: ONNX graphs),
/// whether it can train on cached features, and how its batches become optimizer steps
/// (<c>accumulate_batches</c>, <c>grad_clip_norm</c>).
/// </summary>
internal sealed record PhasePlan(
    string Name,
    int Epochs,
    string FreezeDescription,
    FreezeBoundary Freeze,
    long? TrainableBackboneParameters,
    int BatchSize,
    bool UsesFeatureCache,
    Augmentation? Augment,
    OptimizerSettings Optimizer,
    ScheduleSettings? Schedule,
    int AccumulateBatches = 1,
    double? GradClipNorm = null)
{
    public bool BackboneFrozen => Freeze.FreezesAll;

    /// <summary>Whether the phase mixes its training batches (augment.mixup, augment.cutmix) where it trains on images.</summary>
    public bool Mixes => Augment is { } a && (a.MixUpAlpha > 0 || a.CutMixAlpha > 0);

    /// <summary>Whether the schedule sets the rate before every optimizer step (a warmup, or one-cycle).</summary>
    public bool SchedulePerStep => Schedule is { } s && (s.WarmupEpochs > 0 || s.Kind == ScheduleKind.OneCycle);

    /// <summary>
    /// Whether the loop hands each batch's loss to the runtime (<c>phase.Step</c>) rather than stepping the optimizer
    /// itself: to accumulate or clip gradients, to set the rate every step, or to average the weights.
    /// </summary>
    public bool StepsThroughRuntime(EmaSettings? ema) => AccumulateBatches > 1 || GradClipNorm is not null || SchedulePerStep || ema is not null;
}

/// <summary>A <c>Layers</c> constant: the C# name and the layer name it holds.</summary>
internal sealed record LayerConstant(string Member, string Value);
