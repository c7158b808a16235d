using System.Collections;
using Microsoft.Build.Framework;

namespace MLOpsGate.MSBuild.Tests;

/// <summary>A build engine that records what a task logs, for running the tasks in-process.</summary>
public sealed class RecordingBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = [];

    public List<BuildWarningEventArgs> Warnings { get; } = [];

    public List<BuildMessageEventArgs> Messages { get; } = [];

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "consumer.csproj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);

    public override string ToString() =>
        string.Join('\n', Errors.Select(e => $"error {e.Code}: {e.Message}")
            .Concat(Warnings.Select(w => $"warning {w.Code}: {w.Message}"))
            .Concat(Messages.Select(m => $"message {m.Code}: {m.Message}")));
}
