using System.Text.Json;
using System.Text.RegularExpressions;
using MLOpsGate.Action.GitHub;
using MLOpsGate.Action.Tests.GitHubApi;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Action.Tests;

/// <summary>
/// The real image, built offline from the working tree by action/build-local.sh, run the way the runner runs a
/// docker action (action/container-smoke.sh: mounts, INPUT_* and GITHUB_* variables, file commands, the entry
/// point from action.yml) on the fixtures, a sample pull_request event and the local GitHub API on the host network.
/// </summary>
public sealed class ContainerTests : IDisposable
{
    private const string Image = "localhost/mlopsgate-action:test";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    private readonly TempWorkspace scratch = new(withGitDirectory: false);

    public void Dispose() => scratch.Dispose();

    [RequiresToolFact("podman")]
    [Trait("Requires", "podman")]
    public async Task TheImageRunsLikeTheRunnerRunsItOnThePullRequestAndItsReRun()
    {
        var build = ChildProcess.Run("bash", [RepositoryRoot.Combine("action/build-local.sh"), Image], RepositoryRoot.Path, BuildTimeout);
        Assert.True(build.ExitCode == 0, $"action/build-local.sh failed:\n{build}");

        var entrypoint = ActionEntrypoint();
        var inspect = ChildProcess.Run("podman", ["image", "inspect", "--format", "{{json .Config.Entrypoint}}", Image], RepositoryRoot.Path, RunTimeout);
        Assert.Equal($"[\"{entrypoint}\"]", inspect.Output.Trim());

        var workspace = scratch.CreateDirectory("workspace");
        FixtureManifest.CopyTo(workspace);
        using var server = new FakeGitHubServer();

        // The pull request as opened: every fixture, some failing on purpose.
        var first = await RunImageAsync(workspace, entrypoint, server, "first");
        server.AssertEveryRequestValid();
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace, ".mlopsgate", "report.json")));
        var findings = report.RootElement.GetProperty("models").EnumerateArray().SelectMany(m => m.GetProperty("findings").EnumerateArray()).ToList();
        int errors = findings.Count(f => f.GetProperty("severity").GetString() == "error");
        int warnings = findings.Count(f => f.GetProperty("severity").GetString() == "warning");
        Assert.True(first.ExitCode == 1, $"expected exit code 1 (gate failed):\n{first.Log}");
        Assert.Equal(
            new Dictionary<string, string> { ["verdict"] = "fail", ["errors"] = $"{errors}", ["warnings"] = $"{warnings}", ["report"] = ".mlopsgate/report.json" },
            first.Outputs);
        Assert.True(errors > 10, "the fixtures have more than 10 errors, so the annotations overflow");
        Assert.Contains("## ", first.Summary, StringComparison.Ordinal);
        Assert.Contains("digits-standard-naive", first.Summary, StringComparison.Ordinal);
        Assert.Equal(10, Regex.Matches(first.Log, "^::error file=mlopsgate.yml,line=", RegexOptions.Multiline).Count);
        Assert.Matches(new Regex(@"^::notice title=MLOpsGate::\d+ more findings \(", RegexOptions.Multiline), first.Log);
        Assert.True(File.Exists(Path.Combine(workspace, "reports", "gate.sarif")), "the sarif input writes SARIF in the workspace");

        var batches = (findings.Count + GitHubPublisher.AnnotationsPerRequest - 1) / GitHubPublisher.AnnotationsPerRequest;
        Assert.Equal(
            new[] { "checks/create" }.Concat(Enumerable.Repeat("checks/update", batches - 1)).Concat(["issues/list-comments", "issues/create-comment"]),
            server.Calls.Select(c => c.Operation));
        Assert.All(server.Calls, c => Assert.Equal("token ghs_container_token", c.Authorization, ignoreCase: true));
        var checkRun = Assert.Single(server.CheckRuns);
        Assert.Equal("1111111111111111111111111111111111111111", (string?)checkRun["head_sha"]);
        Assert.Equal("failure", (string?)checkRun["conclusion"]);
        Assert.Equal(findings.Count, checkRun["annotations"]!.AsArray().Count);
        var comment = Assert.Single(server.Comments);
        Assert.Equal(7, (int)comment["issue"]!);
        Assert.StartsWith(GitHubPublisher.Marker("mlopsgate.yml"), (string)comment["body"]!, StringComparison.Ordinal);

        // The author keeps only the passing model: the re-run passes and updates the same comment.
        File.WriteAllText(Path.Combine(workspace, "mlopsgate.yml"), FixtureManifest.Subset("digits-inverted-ok"));
        var second = await RunImageAsync(workspace, entrypoint, server, "second");
        server.AssertEveryRequestValid();
        Assert.True(second.ExitCode == 0, $"expected exit code 0 (gate passed):\n{second.Log}");
        Assert.Equal("pass", second.Outputs["verdict"]);
        Assert.Equal("0", second.Outputs["errors"]);
        Assert.Equal("success", (string?)server.CheckRuns.Last()["conclusion"]);
        comment = Assert.Single(server.Comments);
        Assert.Equal(1, (int)comment["updates"]!);
        Assert.Contains("digits-inverted-ok", (string)comment["body"]!, StringComparison.Ordinal);
        Assert.Single(server.CallsTo("issues/create-comment"));
    }

    /// <summary>runs.entrypoint of action.yml: what the runner passes to `docker run --entrypoint`.</summary>
    private static string ActionEntrypoint()
    {
        var line = File.ReadAllLines(RepositoryRoot.Combine("action.yml")).Single(l => l.TrimStart().StartsWith("entrypoint:", StringComparison.Ordinal));
        return line.Split(':', 2)[1].Trim();
    }

    private async Task<ContainerRun> RunImageAsync(string workspace, string entrypoint, FakeGitHubServer server, string name)
    {
        var output = scratch.CreateDirectory("out-" + name);
        var result = ChildProcess.Run(
            "bash",
            [
                RepositoryRoot.Combine("action/container-smoke.sh"), "run", Image,
                "--workspace", workspace,
                "--event", RepositoryRoot.Combine("action/events/pull_request.json"),
                "--event-name", "pull_request",
                "--network", "host",
                "--entrypoint", entrypoint,
                "--input", "manifest=mlopsgate.yml",
                "--input", "github-token=ghs_container_token",
                "--input", "fail-on=error",
                "--input", "annotate=true",
                "--input", "comment=true",
                "--input", "sarif=reports/gate.sarif",
                "-e", "GITHUB_REPOSITORY=octo/models",
                "-e", $"GITHUB_API_URL={server.ApiUrl}",
                "--out", output,
            ],
            RepositoryRoot.Path,
            RunTimeout);
        var outputs = File.Exists(Path.Combine(output, "outputs.raw"))
            ? RunnerFileCommands.ParseOutputs(File.ReadAllText(Path.Combine(output, "outputs.raw")))
            : [];
        var summary = File.Exists(Path.Combine(output, "step_summary.md")) ? File.ReadAllText(Path.Combine(output, "step_summary.md")) : string.Empty;
        return new ContainerRun(result.ExitCode, result.Output, outputs, summary);
    }

    private sealed record ContainerRun(int ExitCode, string Log, IReadOnlyDictionary<string, string> Outputs, string Summary);
}
