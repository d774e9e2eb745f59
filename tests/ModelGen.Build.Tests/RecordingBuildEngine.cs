using System.Collections;
using Microsoft.Build.Framework;

namespace ModelGen.Build.Tests;

/// <summary>An MSBuild engine that records what a task logs.</summary>
internal sealed class RecordingBuildEngine : IBuildEngine
{
    public List<string> Messages { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<string> Errors { get; } = [];

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "test.csproj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    public void LogCustomEvent(CustomBuildEventArgs e) => Messages.Add(e.Message ?? "");

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message ?? "");

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e.Message ?? "");

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e.Message ?? "");
}
