using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Core.Tests.Reporting;

/// <summary>
/// A fact that needs Node.js and an npm package installed by .ci/install-prerequisites.sh under the
/// repository's artifacts/tools. xunit 2 can only skip at discovery, so both are checked here: without
/// them the test is skipped with the reason on a developer's machine, but under CI=true it runs and
/// fails with a message saying how to install them, so CI never passes by skipping.
/// Tests using it also carry [Trait("Requires", "node")].
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresNodeToolFactAttribute : FactAttribute
{
    public RequiresNodeToolFactAttribute(string binary)
    {
        Binary = binary;
        if (ExternalTool.InCi)
        {
            return;
        }

        if (!ExternalTool.Exists("node"))
        {
            Skip = "'node' is not installed (CI installs it via .ci/install-prerequisites.sh)";
        }
        else if (NodeTools.Find(binary) is null)
        {
            Skip = $"'{binary}' is not installed under {NodeTools.Folder}: run .ci/install-prerequisites.sh";
        }
    }

    public string Binary { get; }
}

/// <summary>The npm packages the tests use, installed by .ci/install-prerequisites.sh.</summary>
public static class NodeTools
{
    public const string Folder = "artifacts/tools/node_modules/.bin";

    /// <summary>The full path of an npm package's command, or null when it is not installed.</summary>
    public static string? Find(string binary)
    {
        var bin = RepositoryRoot.Combine(Folder);
        var candidates = OperatingSystem.IsWindows() ? new[] { binary + ".cmd", binary + ".exe" } : [binary];
        return candidates.Select(c => Path.Combine(bin, c)).FirstOrDefault(File.Exists);
    }

    /// <summary>The command's path, or a failure that says how to install it.</summary>
    public static string Require(string binary) =>
        Find(binary) ?? throw new Xunit.Sdk.XunitException(
            $"'{binary}' is not installed under {Folder} of the repository: run .ci/install-prerequisites.sh (it installs the pinned npm packages the tests use)");
}
