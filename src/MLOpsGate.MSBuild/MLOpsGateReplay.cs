using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MLOpsGate.MSBuild;

/// <summary>
/// Shows again the warnings and notes of the last run when the build skips the gate because none of
/// its inputs changed, so they do not vanish from the build, and `-warnaserror` and `NoWarn`
/// still apply to them. Runs no process.
/// </summary>
public sealed class MLOpsGateReplay : Task
{
    /// <summary>The canonical lines kept by <see cref="MLOpsGateCheck"/>.</summary>
    [Required]
    public string File { get; set; } = string.Empty;

    /// <summary>The same `MLOpsGateFailOn` as the run that wrote the lines.</summary>
    public string? FailOn { get; set; }

    public override bool Execute()
    {
        DiagnosticLogger.TryParseFailOn(FailOn, out var failOn);
        string[] lines;
        try
        {
            lines = System.IO.File.ReadAllLines(File);
        }
        catch (IOException)
        {
            // Gone since the target checked for it: nothing to show.
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }

        Log.LogMessage(MessageImportance.Low, "MLOpsGate: inputs unchanged since the last run; its warnings and notes follow.");
        foreach (var text in lines)
        {
            if (CanonicalLine.TryParse(text) is { } line)
            {
                DiagnosticLogger.Log(Log, line, failOn);
            }
        }

        return !Log.HasLoggedErrors;
    }
}
