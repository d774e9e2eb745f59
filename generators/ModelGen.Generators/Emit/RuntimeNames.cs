namespace ModelGen.Generators.Emit;

/// <summary>
/// The runtime and TorchSharp names generated code uses, written out in full (<c>global::</c>) so that no
/// name in a user's project can capture them. One place, so the seam between generated code and runtime
/// reads as one list.
/// </summary>
internal static class RuntimeNames
{
    public const string Torch = "global::TorchSharp.torch";
    public const string Tensor = Torch + ".Tensor";
    public const string Device = Torch + ".Device";
    public const string Parameter = "global::TorchSharp.Modules.Parameter";
    public const string ModuleExtensions = "global::TorchSharp.ModuleExtensionMethods";

    public const string ModelOptions = "global::ModelGen.ModelOptions";
    public const string TrainOptions = "global::ModelGen.TrainOptions";
    public const string TrainingHistory = "global::ModelGen.TrainingHistory";
    public const string LearningRateFinding = "global::ModelGen.LearningRateFinding";
    public const string LearningRateFinderOptions = "global::ModelGen.LearningRateFinderOptions";
    public const string EvaluationResult = "global::ModelGen.EvaluationResult";
    public const string TestTimeAugmentation = "global::ModelGen.TestTimeAugmentation";
    public const string Prediction = "global::ModelGen.Prediction";
    public const string ModelRuntime = "global::ModelGen.Runtime.ModelRuntime";
    public const string ClassWeighting = "global::ModelGen.Training.ClassWeighting";
    public const string ModelFileException = "global::ModelGen.ModelFileException";

    public const string Backbones = "global::ModelGen.Backbones";
    public const string Backbone = Backbones + ".Backbone";
    public const string BackboneDefinition = Backbones + ".BackboneDefinition";
    public const string FreezeBoundary = Backbones + ".FreezeBoundary";

    public const string Heads = "global::ModelGen.Heads";
    public const string Head = Heads + ".Head";
    public const string HeadLayer = Heads + ".HeadLayer";
    public const string Activation = Heads + ".Activation";

    public const string Data = "global::ModelGen.Data";
    public const string FeatureSet = Data + ".FeatureSet";
    public const string ImageFolder = Data + ".ImageFolder";
    public const string ImageInput = Data + ".ImageInput";
    public const string ImageLoadException = Data + ".ImageLoadException";
    public const string TrainingData = Data + ".TrainingData";
    public const string TaskKind = "global::ModelGen.Training.TaskKind";
    public const string Augmentation = Data + ".Augmentation";
    public const string FillMode = Data + ".FillMode";

    public const string Training = "global::ModelGen.Training";
    public const string TrainingRun = Training + ".TrainingRun";
    public const string RunIdentity = Training + ".RunIdentity";
    public const string OptimizerSettings = Training + ".OptimizerSettings";
    public const string OptimizerKind = Training + ".OptimizerKind";
    public const string LearningRateSchedule = Training + ".LearningRateSchedule";
    public const string ScheduleSettings = Training + ".ScheduleSettings";
    public const string ScheduleKind = Training + ".ScheduleKind";
    public const string StepSettings = Training + ".StepSettings";
    public const string EmaSettings = Training + ".EmaSettings";
    public const string EarlyStoppingSettings = Training + ".EarlyStoppingSettings";
    public const string EarlyStoppingMonitor = Training + ".EarlyStoppingMonitor";
    public const string CheckpointSettings = Training + ".CheckpointSettings";
    public const string EvaluationAccumulator = Training + ".EvaluationAccumulator";
    public const string RegressionAccumulator = Training + ".RegressionAccumulator";
    public const string LearningRateFinder = Training + ".LearningRateFinder";

    public const string Explanation = "global::ModelGen.Explain.Explanation";

    public const string OnnxExportInfo = "global::ModelGen.Export.OnnxExportInfo";

    public const string ReportSubject = "global::ModelGen.Reports.ReportSubject";

    public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
    public const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";
}
