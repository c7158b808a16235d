using MLOpsGate.Action.GitHub;
using MLOpsGate.Action.Tests.GitHubApi;

namespace MLOpsGate.Action.Tests;

/// <summary>The Action against a local GitHub API: check run, sticky comment, batches, faults, GHES.</summary>
public sealed class PublishingTests : IDisposable
{
    private readonly ActionHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task FirstRunOnAPullRequestCreatesACheckRunOnTheHeadShaAndOneComment()
    {
        using var server = new FakeGitHubServer();
        var run = await harness.RunAsync(Reports.Failing(errors: 2, warnings: 1), server);

        server.AssertEveryRequestValid();
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["checks/create", "issues/list-comments", "issues/create-comment"],
            server.Calls.Select(c => c.Operation));
        Assert.All(server.Calls, c => Assert.StartsWith("/repos/octo/repo/", c.Path, StringComparison.Ordinal));
        Assert.All(server.Calls, c => Assert.Contains("ghs_test_token", c.Authorization, StringComparison.Ordinal));
        // Octokit labels its JSON bodies as a form; the server reads the raw body.
        Assert.Contains("x-www-form-urlencoded", server.CallsTo("checks/create").Single().ContentType, StringComparison.Ordinal);

        var checkRun = Assert.Single(server.CheckRuns);
        Assert.Equal(ActionHarness.HeadSha, (string?)checkRun["head_sha"]);
        Assert.Equal("MLOpsGate", (string?)checkRun["name"]);
        Assert.Equal("completed", (string?)checkRun["status"]);
        Assert.Equal("failure", (string?)checkRun["conclusion"]);
        Assert.Equal(3, checkRun["annotations"]!.AsArray().Count);
        var first = checkRun["annotations"]![0]!;
        Assert.Equal("mlopsgate.yml", (string?)first["path"]);
        Assert.Equal(10, (int)first["start_line"]!);
        Assert.Equal("failure", (string?)first["annotation_level"]);
        Assert.Equal("site 'fc0.weight' is off by 2.0 (finding 0)", (string?)first["message"]);
        Assert.Equal("Fix: multiply initializer by 0.5 (finding 0)", (string?)first["raw_details"]);
        Assert.Equal("warning", (string?)checkRun["annotations"]![2]!["annotation_level"]);
        Assert.StartsWith("Gate failed: 2 errors, 1 warning", (string?)checkRun["output"]!["title"], StringComparison.Ordinal);
        var create = server.CallsTo("checks/create").Single().Json!;
        Assert.Equal("https://github.com/octo/repo/actions/runs/42", (string?)create["details_url"]);

        var comment = Assert.Single(server.Comments);
        Assert.Equal(ActionHarness.PullRequest, (int)comment["issue"]!);
        var body = (string)comment["body"]!;
        Assert.StartsWith(GitHubPublisher.Marker("mlopsgate.yml"), body, StringComparison.Ordinal);
        Assert.Contains("digits-mlp", body, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("::notice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReRunUpdatesTheSameCommentAndNeverAddsASecond()
    {
        using var server = new FakeGitHubServer();
        var unrelated = server.SeedComment(ActionHarness.PullRequest, "Looks good to me <!-- some other bot -->");
        await harness.RunAsync(Reports.Failing(errors: 1), server);
        var second = await harness.RunAsync(Reports.Passing(), server);

        server.AssertEveryRequestValid();
        Assert.Equal(0, second.ExitCode);
        Assert.Single(server.CallsTo("issues/create-comment"));
        var update = Assert.Single(server.CallsTo("issues/update-comment"));
        var created = server.Comments.Single(c => (long)c["id"]! != unrelated);
        Assert.EndsWith($"/issues/comments/{(long)created["id"]!}", update.Path, StringComparison.Ordinal);
        Assert.Equal(1, (int)created["updates"]!);
        Assert.Contains("digits-inverted-ok", (string)created["body"]!, StringComparison.Ordinal);
        Assert.Equal("Looks good to me <!-- some other bot -->", (string?)server.Comments.Single(c => (long)c["id"]! == unrelated)["body"]);
        Assert.Equal(2, server.CheckRuns.Count);
        Assert.Equal("success", (string?)server.CheckRuns.Last()["conclusion"]);
    }

    [Fact]
    public async Task TwoGatesInOneRepositoryKeepOneCommentEach()
    {
        using var server = new FakeGitHubServer();
        harness.Write("workspace/models/vision/mlopsgate.yml", "version: 1\nmodels: []\n");
        await harness.RunAsync(Reports.Failing(errors: 1), server);
        await harness.RunAsync(Reports.Failing(errors: 1), server, env => env["INPUT_MANIFEST"] = "models/vision/mlopsgate.yml");
        await harness.RunAsync(Reports.Passing(), server, env => env["INPUT_MANIFEST"] = "models/vision/mlopsgate.yml");

        server.AssertEveryRequestValid();
        Assert.Equal(2, server.Comments.Count);
        Assert.Single(server.Comments, c => ((string)c["body"]!).StartsWith(GitHubPublisher.Marker("models/vision/mlopsgate.yml"), StringComparison.Ordinal));
        Assert.Equal("MLOpsGate (models/vision/mlopsgate.yml)", (string?)server.CheckRuns.Last()["name"]);
    }

    [Fact]
    public async Task SixtyFindingsGoInTwoAnnotationBatchesAndTheWorkflowCommandsAreCapped()
    {
        using var server = new FakeGitHubServer();
        var run = await harness.RunAsync(Reports.Failing(errors: 40, warnings: 15, notes: 5), server);

        server.AssertEveryRequestValid();
        var create = server.CallsTo("checks/create").Single().Json!;
        Assert.Equal(50, create["output"]!["annotations"]!.AsArray().Count);
        Assert.Equal("in_progress", (string?)create["status"]);
        Assert.Null(create["conclusion"]);
        var update = server.CallsTo("checks/update").Single().Json!;
        Assert.Equal(10, update["output"]!["annotations"]!.AsArray().Count);
        Assert.Equal("failure", (string?)update["conclusion"]);
        Assert.Equal("completed", (string?)update["status"]);
        var checkRun = Assert.Single(server.CheckRuns);
        Assert.Equal(60, checkRun["annotations"]!.AsArray().Count);
        Assert.Equal("completed", (string?)checkRun["status"]);

        Assert.Equal(10, run.Commands("error").Count);
        Assert.Equal(10, run.Commands("warning").Count);
        var notices = run.Commands("notice");
        Assert.Equal(6, notices.Count);
        Assert.Equal("::notice title=MLOpsGate::35 more findings (30 errors, 5 warnings) not shown as annotations: see the job summary and .mlopsgate/report.json", notices[^1]);
        Assert.Contains("finding 0)", run.Commands("error")[0], StringComparison.Ordinal);
        Assert.Contains("finding 9)", run.Commands("error")[9], StringComparison.Ordinal);
        Assert.True(
            run.Lines.ToList().FindLastIndex(l => l.StartsWith("::error", StringComparison.Ordinal)) <
            run.Lines.ToList().FindIndex(l => l.StartsWith("::warning", StringComparison.Ordinal)),
            "errors come before warnings");
    }

    [Fact]
    public async Task ANoticeOverflowKeepsTheMoreLineWithinTheNoticeBudget()
    {
        var run = await harness.RunAsync(Reports.Failing(errors: 0, notes: 14), configure: env => env.Remove("INPUT_GITHUB-TOKEN"));

        var notices = run.Commands("notice");
        Assert.Equal(10, notices.Count);
        Assert.Equal(8, notices.Count(n => n.Contains("MLG016", StringComparison.Ordinal)));
        Assert.Contains(notices, n => n.Contains("6 more findings (6 notes)", StringComparison.Ordinal));
        Assert.Contains(notices, n => n.Contains("No github-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AForkTokenDegradesToAnnotationsAndSummaryWithOneNoticeAndTheVerdictUnchanged()
    {
        using var server = new FakeGitHubServer { ReadOnlyToken = true };
        var failing = await harness.RunAsync(Reports.Failing(errors: 2), server);
        var passing = await harness.RunAsync(Reports.Passing(), server);

        server.AssertEveryRequestValid();
        Assert.Equal(1, failing.ExitCode);
        Assert.Equal("fail", failing.Outputs["verdict"]);
        Assert.Equal(0, passing.ExitCode);
        Assert.Equal("pass", passing.Outputs["verdict"]);
        // the check run is refused, and nothing more is tried
        Assert.Equal(["checks/create", "checks/create"], server.Calls.Select(c => c.Operation));
        Assert.All(server.Calls, c => Assert.Equal(403, c.Status));
        Assert.Empty(failing.Waits);
        var notice = Assert.Single(failing.Commands("notice"));
        Assert.Contains("read-only token", notice, StringComparison.Ordinal);
        Assert.Contains("Resource not accessible by integration", notice, StringComparison.Ordinal);
        Assert.Equal(2, failing.Commands("error").Count);
        Assert.Contains("digits-mlp", failing.Summary, StringComparison.Ordinal);
        Assert.Single(passing.Commands("notice"));
    }

    [Fact]
    public async Task ACommentRefusedAfterTheCheckRunIsOneNoticeAndTheVerdictIsUnchanged()
    {
        using var server = new FakeGitHubServer();
        server.Enqueue(Fault.ResourceNotAccessible("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"));
        var run = await harness.RunAsync(Reports.Failing(errors: 1), server);

        server.AssertEveryRequestValid();
        Assert.Equal(1, run.ExitCode);
        Assert.Single(server.CheckRuns);
        Assert.Empty(server.Comments);
        var notice = Assert.Single(run.Commands("notice"));
        Assert.Contains("pull-request comment could not be written (HTTP 403: Resource not accessible by integration)", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A502IsRetriedAndThenSucceeds()
    {
        using var server = new FakeGitHubServer();
        server.Enqueue(Fault.BadGateway("POST", "/repos/{owner}/{repo}/check-runs"));
        server.Enqueue(Fault.BadGateway("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"));
        var run = await harness.RunAsync(Reports.Failing(errors: 1), server);

        server.AssertEveryRequestValid();
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [(502, "checks/create"), (201, "checks/create"), (502, "issues/list-comments"), (200, "issues/list-comments"), (201, "issues/create-comment")],
            server.Calls.Select(c => (c.Status, c.Operation)));
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], run.Waits);
        Assert.Single(server.CheckRuns);
        Assert.Single(server.Comments);
        Assert.Empty(run.Commands("notice"));
    }

    [Fact]
    public async Task SecondaryRateLimitsWaitAsAskedThenRetry()
    {
        using var server = new FakeGitHubServer();
        server.Enqueue(Fault.SecondaryRateLimit("POST", "/repos/{owner}/{repo}/check-runs", 403, new Dictionary<string, string> { ["Retry-After"] = "7" }));
        var reset = DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        server.Enqueue(Fault.SecondaryRateLimit("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 429, new Dictionary<string, string> { ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = reset }));
        var run = await harness.RunAsync(Reports.Failing(errors: 1), server);

        server.AssertEveryRequestValid();
        Assert.Equal(2, run.Waits.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), run.Waits[0]);
        Assert.InRange(run.Waits[1], TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(22));
        Assert.Single(server.CheckRuns);
        var comment = Assert.Single(server.Comments);
        Assert.Equal(0, (int)comment["updates"]!);
        Assert.Empty(run.Commands("notice"));
    }

    [Fact]
    public async Task PersistentServerErrorsAreBoundedAndNeverCrashAPassingGate()
    {
        using var server = new FakeGitHubServer();
        for (int i = 0; i < 10; i++)
        {
            server.Enqueue(Fault.BadGateway("POST", "/repos/{owner}/{repo}/check-runs"));
            server.Enqueue(new Fault("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 500, """{"message":"Server Error"}"""));
        }

        var run = await harness.RunAsync(Reports.Passing(), server);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("pass", run.Outputs["verdict"]);
        Assert.Equal(4, server.CallsTo("checks/create").Count());
        Assert.Equal(4, server.CallsTo("issues/list-comments").Count());
        Assert.Equal(6, run.Waits.Count);
        Assert.All(run.Waits, w => Assert.True(w <= TimeSpan.FromSeconds(60)));
        var notice = Assert.Single(run.Commands("notice"));
        Assert.Contains("check run could not be written (HTTP 502", notice, StringComparison.Ordinal);
        Assert.Contains("comment could not be written (HTTP 500", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableApiNeverCrashesAFailingGateOrTurnsItIntoAPass()
    {
        int port;
        using (var closed = new FakeGitHubServer())
        {
            port = closed.Port;
        }

        var run = await harness.RunAsync(Reports.Failing(errors: 1), configure: env => env["GITHUB_API_URL"] = $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("fail", run.Outputs["verdict"]);
        Assert.Contains("could not be written", Assert.Single(run.Commands("notice")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHubEnterpriseServerKeepsTheApiUrlPath()
    {
        using var server = new FakeGitHubServer("/api/v3");
        var run = await harness.RunAsync(Reports.Failing(errors: 1), server, env => env["GITHUB_SERVER_URL"] = "https://ghes.example.com");

        server.AssertEveryRequestValid();
        Assert.Equal(["checks/create", "issues/list-comments", "issues/create-comment"], server.Calls.Select(c => c.Operation));
        Assert.All(server.Calls, c => Assert.StartsWith("/api/v3/repos/octo/repo/", c.RawPath, StringComparison.Ordinal));
        Assert.Equal("https://ghes.example.com/octo/repo/actions/runs/42", (string?)server.CallsTo("checks/create").Single().Json!["details_url"]);
        Assert.Empty(run.Commands("notice"));
    }

    [Fact]
    public async Task AnnotateFalseTurnsOffBothKindsOfAnnotations()
    {
        using var server = new FakeGitHubServer();
        var run = await harness.RunAsync(Reports.Failing(errors: 3), server, env => env["INPUT_ANNOTATE"] = "false");

        server.AssertEveryRequestValid();
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Commands("error"));
        Assert.Empty(run.Commands("notice"));
        var create = server.CallsTo("checks/create").Single().Json!;
        Assert.Null(create["output"]!["annotations"]);
        Assert.Equal("failure", (string?)create["conclusion"]);
        Assert.Contains("digits-mlp", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommentFalseWritesNoComment()
    {
        using var server = new FakeGitHubServer();
        await harness.RunAsync(Reports.Failing(errors: 1), server, env => env["INPUT_COMMENT"] = "false");

        server.AssertEveryRequestValid();
        Assert.Equal(["checks/create"], server.Calls.Select(c => c.Operation));
    }

    [Fact]
    public async Task APushRunGetsACheckRunOnGithubShaAndNoComment()
    {
        using var server = new FakeGitHubServer();
        var push = harness.Write("workflow/push.json", """{"ref":"refs/heads/main","after":"2222222222222222222222222222222222222222"}""");
        await harness.RunAsync(Reports.Passing(), server, env =>
        {
            env["GITHUB_EVENT_PATH"] = push;
            env["GITHUB_EVENT_NAME"] = "push";
        });

        server.AssertEveryRequestValid();
        Assert.Equal(["checks/create"], server.Calls.Select(c => c.Operation));
        Assert.Equal(ActionHarness.MergeSha, (string?)server.CheckRuns.Single()["head_sha"]);
    }

    [Fact]
    public async Task LongMarkdownIsTrimmedToGitHubsLimits()
    {
        using var server = new FakeGitHubServer();
        var report = Reports.Failing(errors: 3000, site: "a-very-long-site-name-" + new string('x', 60) + "-{0}");
        await harness.RunAsync(report, server);

        server.AssertEveryRequestValid();
        Assert.All(server.CallsTo("checks/create").Concat(server.CallsTo("checks/update")), c =>
        {
            var output = c.Json!["output"]!;
            Assert.InRange(((string)output["text"]!).Length, 1, GitHubPublisher.MaxOutputText);
            Assert.InRange(((string)output["summary"]!).Length, 1, GitHubPublisher.MaxOutputText);
        });
        Assert.Equal(59, server.CallsTo("checks/update").Count());
        Assert.Equal(3000, server.CheckRuns.Single()["annotations"]!.AsArray().Count);
        Assert.InRange(((string)server.Comments.Single()["body"]!).Length, 1, GitHubPublisher.MaxCommentBody);
    }
}
