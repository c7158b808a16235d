namespace MLOpsGate.Tests.Shared;

/// <summary>
/// A fact that needs an outside program (podman, node, ...). Without it the test is skipped with the
/// reason on a developer's machine, but under CI=true it runs and fails, so CI never passes by skipping.
/// Tests using it also carry [Trait("Requires", TOOL)] so they can be selected or excluded.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        Tool = tool;
        if (!ExternalTool.Exists(tool) && !ExternalTool.InCi)
        {
            Skip = $"'{tool}' is not installed (CI installs it via .ci/install-prerequisites.sh)";
        }
    }

    public string Tool { get; }
}

public static class ExternalTool
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="tool"/> is an executable on PATH.</summary>
    public static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
