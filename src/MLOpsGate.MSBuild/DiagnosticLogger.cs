using System;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MLOpsGate.MSBuild;

/// <summary>`MLOpsGateFailOn`: the lowest severity that fails the build (passed to `--fail-on`).</summary>
public enum FailOn
{
    Error,
    Warning,
    Never,
}

/// <summary>Codes of the package's own errors (the gate's findings use the rules' MLGnnn codes).</summary>
public static class PackageCodes
{
    /// <summary>The tool exited with 2 (the gate could not run) without printing any finding.</summary>
    public const string CouldNotRun = "MLGB001";

    /// <summary>The tool did not complete: a crash, a missing .NET runtime, an unexpected exit code.</summary>
    public const string ToolFailed = "MLGB002";

    /// <summary>The package is misconfigured: the tool or the .NET host not found, an invalid property value.</summary>
    public const string Configuration = "MLGB003";
}

/// <summary>Turns canonical lines into MSBuild errors, warnings and messages.</summary>
public static class DiagnosticLogger
{
    public static bool TryParseFailOn(string? value, out FailOn failOn)
    {
        switch ((value ?? string.Empty).Trim().ToUpperInvariant())
        {
            case "":
            case "ERROR":
                failOn = FailOn.Error;
                return true;
            case "WARNING":
                failOn = FailOn.Warning;
                return true;
            case "NEVER":
                failOn = FailOn.Never;
                return true;
            default:
                failOn = FailOn.Error;
                return false;
        }
    }

    /// <summary>
    /// Logs one line with its code, file, line, column and help link (no subcategory, no end position).
    /// Under `warning`, warnings are logged as errors; under `never`, errors as warnings.
    /// </summary>
    /// <returns>The level the line was logged at.</returns>
    public static LineLevel Log(TaskLoggingHelper log, CanonicalLine line, FailOn failOn)
    {
        var level = line.Level switch
        {
            LineLevel.Warning when failOn == FailOn.Warning => LineLevel.Error,
            LineLevel.Error when failOn == FailOn.Never => LineLevel.Warning,
            var l => l,
        };
        switch (level)
        {
            case LineLevel.Error:
                log.LogError(null, line.Code, null, line.HelpLink, line.File, line.Line, line.Column, 0, 0, line.Message);
                break;
            case LineLevel.Warning:
                log.LogWarning(null, line.Code, null, line.HelpLink, line.File, line.Line, line.Column, 0, 0, line.Message);
                break;
            default:
                log.LogMessage(null, line.Code, null, line.File, line.Line, line.Column, 0, 0, MessageImportance.High, line.Message);
                break;
        }

        return level;
    }

    /// <summary>One error of the package itself, located at the manifest when there is one.</summary>
    public static void LogPackageError(TaskLoggingHelper log, string code, string? file, string message) =>
        log.LogError(null, code, null, RuleHelp.For(code), file ?? string.Empty, 0, 0, 0, 0, message);

    internal static string Describe(FailOn failOn) => failOn.ToString().ToLowerInvariant();

    internal static bool IsWindows => Environment.OSVersion.Platform == PlatformID.Win32NT;
}
