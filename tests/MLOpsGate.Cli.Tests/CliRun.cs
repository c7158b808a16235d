namespace MLOpsGate.Cli.Tests;

/// <summary>The outcome of one in-process run of the command line.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Canonical diagnostic lines (`FILE(LINE,COL): level MLGnnn: message`).</summary>
    public string[] Diagnostics => StdoutLines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^.+\(\d+,\d+\): (error|warning|info) MLG\d{3}: ")).ToArray();
}

public static class CliRun
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = MLOpsGateCommandLine.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
