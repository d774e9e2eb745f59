using ModelGen.Generators.Analysis;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// How generated code opens its data (<c>task</c>): a classifier passes its classes as it always has (a folder or a
/// manifest); the other tasks also pass their task, so the runtime reads a manifest's <c>labels</c> or target columns.
/// </summary>
internal static class DataCalls
{
    /// <summary>The call that opens the images at <paramref name="path"/> with <paramref name="names"/> (classes, or targets).</summary>
    public static string OpenImages(ModelPlan plan, string path, string names) =>
        plan.IsClassification
            ? $"{R.ModelRuntime}.OpenImages({path}, {names}, options.Logger)"
            : $"{R.ModelRuntime}.OpenImages({path}, {Task(plan)}, {names}, options.Logger)";

    /// <summary>The arguments of <c>ModelRuntime.OpenTrainingData</c> up to the names; the split, seed and logger follow.</summary>
    public static string[] TrainingDataArguments(ModelPlan plan, string train, string validation) =>
        plan.IsClassification ? [train, validation, "DeclaredClasses"] : [train, validation, Task(plan), "DeclaredClasses"];

    private static string Task(ModelPlan plan) => $"{R.TaskKind}.{plan.Task}";
}
