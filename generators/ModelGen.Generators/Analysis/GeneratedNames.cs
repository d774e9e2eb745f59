using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// The names the generated code declares and the names it uses, which the spec's <c>model</c> and
/// <c>namespace</c> must leave alone for the code to compile: C# forbids a member named like its class
/// (CS0542), and a generated type or namespace named like one the code refers to hides it (CS0435-CS0437).
/// GeneratedNamesTests checks these lists against the emitted code, so they stay true as the emitter changes.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>The nested class of layer-name constants; a constant cannot take its name.</summary>
    public const string LayersClass = "Layers";

    /// <summary>Every member a generated class declares, public or private, but the per-phase ones.</summary>
    public static readonly IReadOnlyCollection<string> Members = new HashSet<string>(StringComparer.Ordinal)
    {
        // The network: definition, head, modules, forward pass and loss.
        "BackboneDefinition", "HeadLayers", "Fingerprint", "backbone", "head", "options", "device",
        "Create", "Classes", "Device", "Backbone", "Head", "forward", "ForwardLogits", "ForwardHead",
        "Loss", "TrainingLoss", "MixedLoss", "ClassWeighting", "PredictedClass", "Probabilities", "Targets",

        // Inference, saving and export.
        "Extract", "Evaluate", "EvaluateImages", "EvaluateFeatures", "Predict", "Explain", "Save", "Load",
        "ExportOnnx", "ExportDescription", "ReportSubject", "TestTimeAugmentation", "ReadInput",

        // Training.
        "Checkpoints", "EarlyStopping", "WeightAverage", "TrainingFingerprint", "Train", "StartRun", "UseClasses",
        "FindLearningRate", "FindLearningRateOnFeatures", "FindLearningRateOnImages",

        // Metadata.
        "InputShape", "FeatureShape", "DeclaredClasses", "ClassCount", LayersClass, "Summary",
    };

    /// <summary>What follows a phase's stem (<see cref="PhaseStem"/>) in the names of its members.</summary>
    public static readonly IReadOnlyList<string> PhaseMemberSuffixes = ["Optimizer", "Schedule", "Steps", "Augmentation", "OnFeatures", "OnImages"];

    /// <summary>
    /// Namespaces the generated code refers to (with <c>global::</c>): a generated type must not take one of
    /// these names, but a spec's namespace may be inside them.
    /// </summary>
    public static readonly IReadOnlyCollection<string> RuntimeNamespaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "System", "System.CodeDom", "System.CodeDom.Compiler", "System.Collections", "System.Collections.Generic", "System.IO",
        "TorchSharp",
        "ModelGen", "ModelGen.Backbones", "ModelGen.Data", "ModelGen.Explain", "ModelGen.Export", "ModelGen.Heads", "ModelGen.Reports", "ModelGen.Runtime", "ModelGen.Training",
    };

    /// <summary>
    /// Types the generated code refers to, by full name (members and nested types below them need no entry):
    /// neither a generated type nor a spec's namespace may take one of these names.
    /// </summary>
    public static readonly IReadOnlyCollection<string> RuntimeTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "System.Array", "System.CodeDom.Compiler.GeneratedCode", "System.CodeDom.Compiler.GeneratedCodeAttribute",
        "System.Collections.Generic.IReadOnlyList", "System.IO.Stream",
        "TorchSharp.ModuleExtensionMethods", "TorchSharp.torch",
        "ModelGen.EvaluationResult", "ModelGen.ModelFileException",
        "ModelGen.ModelOptions", "ModelGen.Prediction", "ModelGen.TestTimeAugmentation", "ModelGen.TrainingHistory", "ModelGen.TrainOptions",
        "ModelGen.LearningRateFinderOptions", "ModelGen.LearningRateFinding",
        "ModelGen.Backbones.Architecture", "ModelGen.Backbones.Backbone", "ModelGen.Backbones.BackboneDefinition",
        "ModelGen.Backbones.BatchNormMode", "ModelGen.Backbones.FreezeBoundary",
        "ModelGen.Backbones.WeightsKind",
        "ModelGen.Data.Augmentation", "ModelGen.Data.FeatureSet",
        "ModelGen.Data.FillMode", "ModelGen.Data.ImageFolder", "ModelGen.Data.ImageInput",
        "ModelGen.Data.ImageLoadException", "ModelGen.Data.TrainingData",
        "ModelGen.Explain.Explanation", "ModelGen.Export.OnnxExportInfo",
        "ModelGen.Heads.Activation", "ModelGen.Heads.Head", "ModelGen.Heads.HeadLayer", "ModelGen.Reports.ReportSubject",
        "ModelGen.Runtime.ModelRuntime",
        "ModelGen.Training.CheckpointSettings", "ModelGen.Training.EarlyStoppingMonitor", "ModelGen.Training.EarlyStoppingSettings",
        "ModelGen.Training.EvaluationAccumulator", "ModelGen.Training.RegressionAccumulator", "ModelGen.Training.TaskKind", "ModelGen.Training.LearningRateFinder", "ModelGen.Training.LearningRateSchedule", "ModelGen.Training.OptimizerKind",
        "ModelGen.Training.OptimizerSettings", "ModelGen.Training.ScheduleKind",
        "ModelGen.Training.RunIdentity", "ModelGen.Training.ClassWeighting", "ModelGen.Training.ScheduleSettings", "ModelGen.Training.TrainingRun",
        "ModelGen.Training.StepSettings", "ModelGen.Training.EmaSettings",
    };

    /// <summary>The enum of a model's labels, beside its class.</summary>
    public static string LabelEnum(string className) => className + "Label";

    /// <summary>The record a regression model's <c>Predict</c> returns, beside its class: one property per target.</summary>
    public static string PredictionRecord(string className) => className + "Prediction";

    /// <summary>
    /// Members every record declares (C# synthesises them): a target's property must not take one of these names.
    /// </summary>
    public static readonly IReadOnlyCollection<string> RecordMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "EqualityContract", "Equals", "GetHashCode", "ToString", "PrintMembers", "Deconstruct", "GetType", "MemberwiseClone", "Finalize",
    };

    /// <summary>The start of the names of a phase's members: "Phase1Train", "Phase2FineTune".</summary>
    public static string PhaseStem(int index, string phaseName) => $"Phase{index + 1}{Identifiers.Pascal(phaseName, "")}";

    /// <summary>The member of the generated class named <paramref name="name"/>, if there is one.</summary>
    public static bool IsMember(string name, IReadOnlyList<string> phaseNames) =>
        Members.Contains(name)
        || Enumerable.Range(0, phaseNames.Count).Any(i => PhaseMemberSuffixes.Any(suffix => name == PhaseStem(i, phaseNames[i]) + suffix));

    /// <summary>The library a runtime name belongs to, for messages: ".NET", "TorchSharp" or "the ModelGen runtime".</summary>
    public static string LibraryOf(string name) =>
        name.StartsWith("TorchSharp", StringComparison.Ordinal) ? "TorchSharp"
        : name.StartsWith("ModelGen", StringComparison.Ordinal) ? "the ModelGen runtime"
        : ".NET";
}
