using MLOpsGate.Action.GitHub;
using MLOpsGate.Action.Tests.GitHubApi;

namespace MLOpsGate.Action.Tests;

/// <summary>The Action with the real gate on the real fixtures, in-process, against the local GitHub API.</summary>
public sealed class FixtureRunTests : IDisposable
{
    private readonly ActionHarness harness = new();

    public FixtureRunTests() => FixtureManifest.CopyTo(harness.Workspace);

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task AFailingModelFailsThenItsFixPassesWithTheSameCommentUpdated()
    {
        using var server = new FakeGitHubServer();
        harness.Write("workspace/gate/mlopsgate.yml", FixtureManifest.Subset("digits-inverted-ok", "digits-standard-naive").Replace("models/", "../models/", StringComparison.Ordinal).Replace("data/", "../data/", StringComparison.Ordinal));
        var failing = await harness.RunAsync(GateExecution.Run, server, env => env["INPUT_MANIFEST"] = "gate/mlopsgate.yml");

        server.AssertEveryRequestValid();
        Assert.Equal(1, failing.ExitCode);
        Assert.Equal("fail", failing.Outputs["verdict"]);
        Assert.Equal("1", failing.Outputs["errors"]);
        var error = Assert.Single(failing.Commands("error"));
        Assert.StartsWith("::error file=gate/mlopsgate.yml,line=", error, StringComparison.Ordinal);
        Assert.Contains("title=MLG003 missing-dropout-scaling (digits-standard-naive)", error, StringComparison.Ordinal);
        Assert.Contains("digits-standard-naive", failing.Summary, StringComparison.Ordinal);
        var checkRun = Assert.Single(server.CheckRuns);
        Assert.Equal("MLOpsGate (gate/mlopsgate.yml)", (string?)checkRun["name"]);
        Assert.Equal("failure", (string?)checkRun["conclusion"]);
        Assert.Contains(checkRun["annotations"]!.AsArray(), a => (string?)a!["path"] == "gate/mlopsgate.yml" && (string?)a["annotation_level"] == "failure");

        harness.Write("workspace/gate/mlopsgate.yml", FixtureManifest.Subset("digits-inverted-ok").Replace("models/", "../models/", StringComparison.Ordinal).Replace("data/", "../data/", StringComparison.Ordinal));
        var passing = await harness.RunAsync(GateExecution.Run, server, env => env["INPUT_MANIFEST"] = "gate/mlopsgate.yml");

        server.AssertEveryRequestValid();
        Assert.Equal(0, passing.ExitCode);
        Assert.Equal("pass", passing.Outputs["verdict"]);
        Assert.Equal("success", (string?)server.CheckRuns.Last()["conclusion"]);
        var comment = Assert.Single(server.Comments);
        Assert.Equal(1, (int)comment["updates"]!);
        Assert.StartsWith(GitHubPublisher.Marker("gate/mlopsgate.yml"), (string)comment["body"]!, StringComparison.Ordinal);
        Assert.Contains("digits-inverted-ok", (string)comment["body"]!, StringComparison.Ordinal);
    }
}
