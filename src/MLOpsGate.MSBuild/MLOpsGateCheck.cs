using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MLOpsGate.MSBuild;

/// <summary>
/// Runs `mlopsgate check` (the framework-dependent CLI shipped in the package, started with
/// `dotnet exec`) once per manifest and turns its canonical lines into MSBuild errors, warnings
/// and messages with the rule's code, the manifest's file, line and column and the rule's help link.
/// Never a silent pass: a crash, a missing runtime or an exit code without a finding is an error.
/// </summary>
public sealed class MLOpsGateCheck : ToolTask
{
    private readonly List<string> _otherOutput = [];
    private readonly List<string> _replayable = [];
    private ITaskItem? _current;
    private FailOn _failOn;
    private int _errorsThisRun;
    private volatile bool _canceled;

    /// <summary>
    /// The manifests to check (absolute paths). Metadata: `FilesRead` (where the CLI writes the files
    /// it read), `ReportJson` and `ReportSarif` (report files to write; empty: none).
    /// </summary>
    [Required]
    public ITaskItem[] Manifests { get; set; } = [];

    /// <summary>The CLI's `mlopsgate.dll`, run with `dotnet exec`.</summary>
    [Required]
    public string ToolAssembly { get; set; } = string.Empty;

    /// <summary>`--workspace`; empty: the CLI's own default.</summary>
    public string? Workspace { get; set; }

    /// <summary>`--fail-on`: error (default), warning or never.</summary>
    public string? FailOn { get; set; }

    /// <summary>The `dotnet` host to run the CLI with; empty: `DOTNET_HOST_PATH`, then `PATH`.</summary>
    public string? DotnetHost { get; set; }

    /// <summary>
    /// Where the warnings and notes of a run that passed are kept, to be shown again by
    /// <see cref="MLOpsGateReplay"/> when the next build skips the gate because nothing changed.
    /// </summary>
    public string? ReplayFile { get; set; }

    protected override string ToolName => DiagnosticLogger.IsWindows ? "dotnet.exe" : "dotnet";

    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;

    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Low;

    public override bool Execute()
    {
        if (!DiagnosticLogger.TryParseFailOn(FailOn, out _failOn))
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.Configuration, null,
                $"MLOpsGateFailOn must be 'error', 'warning' or 'never', not '{FailOn}'.");
            return false;
        }

        var passed = true;
        foreach (var manifest in Manifests)
        {
            _current = manifest;
            _errorsThisRun = 0;
            _otherOutput.Clear();
            var completed = base.Execute();
            if (_canceled)
            {
                return false;
            }

            passed &= completed && _errorsThisRun == 0;
        }

        _current = null;
        passed &= !Log.HasLoggedErrors;
        WriteReplayFile(passed);
        return passed;
    }

    public override void Cancel()
    {
        _canceled = true;
        base.Cancel();
    }

    protected override bool ValidateParameters()
    {
        if (_current is null)
        {
            return false;
        }

        if (!File.Exists(ToolAssembly))
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.Configuration, _current.ItemSpec,
                $"the MLOpsGate tool '{ToolAssembly}' does not exist; restore the MLOpsGate.MSBuild package again (or fix MLOpsGateToolPath). The gate did not run.");
            return false;
        }

        if (FindDotnet() is null)
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.Configuration, _current.ItemSpec,
                $"the .NET host '{ToolName}' was not found (DOTNET_HOST_PATH is not set and it is not on PATH); the MLOpsGate tool needs the .NET 10 runtime. The gate did not run.");
            return false;
        }

        return true;
    }

    protected override string GenerateFullPathToTool() => FindDotnet() ?? ToolName;

    protected override string GetWorkingDirectory() =>
        _current is null ? base.GetWorkingDirectory() : Path.GetDirectoryName(_current.ItemSpec) ?? base.GetWorkingDirectory();

    protected override string GenerateCommandLineCommands()
    {
        var manifest = _current!;
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("exec");

        // A newer major runtime is fine when the CLI's own is not installed.
        builder.AppendSwitchIfNotNull("--roll-forward ", "Major");
        builder.AppendFileNameIfNotNull(ToolAssembly);
        builder.AppendSwitch("check");

        // `--name=value`: a value starting with '-' stays a value.
        builder.AppendSwitchIfNotNull("--manifest=", manifest.ItemSpec);
        AppendIfSet(builder, "--workspace=", Workspace);
        builder.AppendSwitchIfNotNull("--fail-on=", DiagnosticLogger.Describe(_failOn));
        AppendIfSet(builder, "--report-json=", manifest.GetMetadata("ReportJson"));
        AppendIfSet(builder, "--report-sarif=", manifest.GetMetadata("ReportSarif"));
        AppendIfSet(builder, "--files-read=", manifest.GetMetadata("FilesRead"));
        return builder.ToString();
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        var line = CanonicalLine.TryParse(singleLine);
        if (line is null)
        {
            if (!string.IsNullOrWhiteSpace(singleLine))
            {
                _otherOutput.Add(singleLine.Trim());
            }

            Log.LogMessage(messageImportance, "{0}", singleLine);
            return;
        }

        if (DiagnosticLogger.Log(Log, line, _failOn) == LineLevel.Error)
        {
            _errorsThisRun++;
        }
        else
        {
            _replayable.Add(singleLine.TrimEnd('\r'));
        }
    }

    protected override bool HandleTaskExecutionErrors()
    {
        var manifest = _current?.ItemSpec;
        if (_errorsThisRun > 0)
        {
            // The findings themselves are the errors.
            return false;
        }

        if (ExitCode == -1 && Log.HasLoggedErrors)
        {
            // The tool exited with 0, and the build turned a warning it printed into an error
            // (MSBuildTreatWarningsAsErrors, WarningsAsErrors): ToolTask then reports -1. That error fails the build.
            return false;
        }

        var detail = Detail();
        if (ExitCode == 2)
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.CouldNotRun, manifest,
                $"mlopsgate could not run the gate on this manifest (exit code 2){detail}");
        }
        else if (ExitCode == 1)
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.ToolFailed, manifest,
                $"mlopsgate exited with code 1 (gate failed) without reporting an error; the gate's result is unknown{detail}");
        }
        else
        {
            DiagnosticLogger.LogPackageError(Log, PackageCodes.ToolFailed, manifest,
                $"mlopsgate did not complete (exit code {ExitCode}); the gate did not run. A missing .NET runtime (the tool needs .NET 10 or later) or a crash ends it this way{detail}");
        }

        return false;
    }

    private string Detail()
    {
        // The end of the output says what went wrong (the CLI's `mlopsgate: error:` lines, the host's
        // message, an exception's message), without stack frames.
        var lines = _otherOutput.Where(l => !l.StartsWith("at ", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)).ToList();
        if (lines.Count == 0)
        {
            return ".";
        }

        var text = new StringBuilder(": ");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - 4)))
        {
            text.Append(line).Append(' ');
        }

        return text.ToString().TrimEnd();
    }

    private void WriteReplayFile(bool passed)
    {
        if (string.IsNullOrEmpty(ReplayFile))
        {
            return;
        }

        try
        {
            if (passed && _replayable.Count > 0)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(ReplayFile)!);
                File.WriteAllLines(ReplayFile, _replayable, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
            else if (File.Exists(ReplayFile))
            {
                File.Delete(ReplayFile);
            }
        }
        catch (IOException e)
        {
            Log.LogWarning(null, PackageCodes.Configuration, null, RuleHelp.PackageUri, ReplayFile, 0, 0, 0, 0,
                "could not write the list of warnings to show again on the next build: " + e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            Log.LogWarning(null, PackageCodes.Configuration, null, RuleHelp.PackageUri, ReplayFile, 0, 0, 0, 0,
                "could not write the list of warnings to show again on the next build: " + e.Message);
        }
    }

    /// <summary>The `dotnet` host: <see cref="DotnetHost"/>, then `DOTNET_HOST_PATH` (set by the dotnet CLI), then PATH.</summary>
    private string? FindDotnet()
    {
        foreach (var candidate in new[] { DotnetHost, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var folder = dir.Trim().Trim('"');
            if (folder.Length == 0 || folder.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                continue;
            }

            var path = Path.Combine(folder, ToolName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static void AppendIfSet(CommandLineBuilder builder, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            builder.AppendSwitchIfNotNull(name, value);
        }
    }
}
