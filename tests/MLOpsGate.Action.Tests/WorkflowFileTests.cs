using System.Text;
using MLOpsGate.Action.Tests.GitHubApi;
using MLOpsGate.Action.Workflow;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Action.Tests;

/// <summary>Workflow commands, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as the runner reads them.</summary>
public sealed class WorkflowFileTests : IDisposable
{
    private const string Hostile = "evil::name%25\n::error::pwned, x|y <script>alert(1)</script>\r%";

    private readonly ActionHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void MessagesEscapePercentCrAndLfAndPropertiesAlsoColonAndComma()
    {
        Assert.Equal("a%25b%0Dc%0Ad::e,f", WorkflowCommands.EscapeData("a%b\rc\nd::e,f"));
        Assert.Equal("a%25b%0Dc%0Ad%3A%3Ae%2Cf", WorkflowCommands.EscapeProperty("a%b\rc\nd::e,f"));
        Assert.Equal("::error file=a%2Cb.yml,line=3,title=x%3Ay::m%0A::n", WorkflowCommands.Format("error", [("file", "a,b.yml"), ("line", "3"), ("title", "x:y")], "m\n::n"));
    }

    [Fact]
    public async Task HostileNamesNeverBecomeWorkflowCommands()
    {
        using var server = new FakeGitHubServer();
        var report = Reports.Failing(errors: 2, warnings: 1, model: Hostile, site: Hostile + "{0}");
        var run = await harness.RunAsync((_, progress) =>
        {
            progress("checking " + Hostile);
            return report;
        }, server);

        server.AssertEveryRequestValid();
        var lines = run.Lines;
        var stop = Assert.Single(lines, l => l.StartsWith("::stop-commands::", StringComparison.Ordinal));
        var token = stop["::stop-commands::".Length..];
        Assert.Matches("^mlopsgate-[0-9a-f]{32}$", token);
        int stopAt = lines.ToList().IndexOf(stop);
        int resumeAt = lines.ToList().IndexOf($"::{token}::");
        Assert.True(resumeAt > stopAt, "commands are resumed after the text report");
        // Raw names (progress, the text report) appear only inside the block, where the runner reads no command.
        Assert.InRange(lines.ToList().FindIndex(l => l.StartsWith("::error::pwned", StringComparison.Ordinal)), stopAt + 1, resumeAt - 1);

        // Outside the stop-commands block, every "::" line is one of ours, on one line, with escaped values.
        var outside = lines.Take(stopAt).Concat(lines.Skip(resumeAt + 1)).ToList();
        Assert.All(outside, l => Assert.Matches(@"^::(error|warning|notice) (file=[^,:]*,line=\d+,col=\d+,)?title=[^,:]*::", l));
        Assert.Equal(2, run.Commands("error").Count);
        var error = run.Commands("error")[0];
        Assert.Contains("title=MLG003 missing-dropout-scaling (evil%3A%3Aname%2525%0A%3A%3Aerror%3A%3Apwned%2C x|y <script>alert(1)</script>%0D%25)", error, StringComparison.Ordinal);
        Assert.Contains("::site 'evil::name%2525%0A::error::pwned, x|y <script>alert(1)</script>%0D%250' is off", error, StringComparison.Ordinal);

        // Markdown (summary and comment) escapes them: no raw HTML, no table-breaking pipe, no line break.
        Assert.DoesNotContain("<script>", run.Summary, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", run.Summary, StringComparison.Ordinal);
        var comment = (string)server.Comments.Single()["body"]!;
        Assert.DoesNotContain("<script>", comment, StringComparison.Ordinal);
        Assert.DoesNotContain("x|y", comment, StringComparison.Ordinal);

        // The API got the names verbatim, as JSON.
        var annotation = server.CheckRuns.Single()["annotations"]![0]!;
        Assert.Contains(Hostile, (string?)annotation["title"], StringComparison.Ordinal);
        Assert.Contains(Hostile, (string?)annotation["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputsParseUnderTheRunnersRulesAndTheReportIsInTheWorkspace()
    {
        var run = await harness.RunAsync(Reports.Failing(errors: 2, warnings: 3), configure: env => env.Remove("INPUT_GITHUB-TOKEN"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("fail", run.Outputs["verdict"]);
        Assert.Equal("2", run.Outputs["errors"]);
        Assert.Equal("3", run.Outputs["warnings"]);
        Assert.Equal(".mlopsgate/report.json", run.Outputs["report"]);
        var json = File.ReadAllText(Path.Combine(harness.Workspace, ".mlopsgate", "report.json"));
        Assert.Contains("\"verdict\": \"fail\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSarifInputWritesSarifInsideTheWorkspace()
    {
        var run = await harness.RunAsync(Reports.Failing(errors: 2, warnings: 1), configure: env =>
        {
            env["INPUT_SARIF"] = "reports/mlopsgate.sarif";
            env.Remove("INPUT_GITHUB-TOKEN");
        });

        Assert.Equal(1, run.ExitCode);
        using var sarif = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(harness.Workspace, "reports", "mlopsgate.sarif")));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        Assert.Equal(3, sarif.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task WithoutTheSarifInputNoSarifIsWritten()
    {
        await harness.RunAsync(Reports.Failing(errors: 1), configure: env => env.Remove("INPUT_GITHUB-TOKEN"));
        Assert.Empty(Directory.EnumerateFiles(harness.Workspace, "*.sarif", SearchOption.AllDirectories));
    }

    [Fact]
    public void MultiLineOutputsUseARandomDelimiterAbsentFromTheValue()
    {
        var tricky = "line 1\nghadelimiter_x\nname=value\nkey<<EOF\n\nlast";
        var text = OutputsFile.Format([("one", "a=b<<c"), ("many", tricky), ("crlf", "x\r\ny")]);
        var parsed = RunnerFileCommands.ParseOutputs(text);

        Assert.Equal("a=b<<c", parsed["one"]);
        Assert.Equal(tricky, parsed["many"]);
        Assert.Equal("x\ny", parsed["crlf"]);
        var many = text.Split('\n').Single(l => l.StartsWith("many<<", StringComparison.Ordinal));
        Assert.Matches(@"^many<<ghadelimiter_[0-9a-f]{32}$", many);
        Assert.NotEqual(many["many<<".Length..], text.Split('\n').Single(l => l.StartsWith("crlf<<", StringComparison.Ordinal))["crlf<<".Length..]);
        Assert.Throws<ArgumentException>(() => OutputsFile.Format([("bad=name", "v")]));
    }

    [Fact]
    public void TheRunnerParserRejectsWhatTheRunnerRejects()
    {
        Assert.Throws<FormatException>(() => RunnerFileCommands.ParseOutputs("=value\n"));
        Assert.Throws<FormatException>(() => RunnerFileCommands.ParseOutputs("name<<EOF\nvalue\n"));
        Assert.Throws<FormatException>(() => RunnerFileCommands.ParseOutputs("just text\n"));
    }

    [Fact]
    public void TheSummaryIsFittedUnderOneMebibyteOfUtf8()
    {
        // 3-byte characters: a character budget of 1 MiB would be 3 MiB of UTF-8.
        string Render(int budget) => new string('€', Math.Min(budget, 2_000_000));
        var text = StepSummary.Fit(Render, StepSummary.MaxBytes);
        int bytes = Encoding.UTF8.GetByteCount(text);
        Assert.InRange(bytes, StepSummary.MaxBytes * 9 / 10, StepSummary.MaxBytes);
    }

    [Fact]
    public async Task AHugeReportKeepsTheStepSummaryUnderTheRunnersLimit()
    {
        var report = Reports.Failing(errors: 20_000, site: "site-" + new string('ü', 80) + "-{0}");
        var run = await harness.RunAsync(report, configure: env => env.Remove("INPUT_GITHUB-TOKEN"));

        int bytes = Encoding.UTF8.GetByteCount(run.Summary);
        Assert.InRange(bytes, StepSummary.MaxBytes / 2, StepSummary.MaxBytes);
        Assert.Contains("more findings in the full report", run.Summary, StringComparison.Ordinal);
        Assert.Equal("20000", run.Outputs["errors"]);
    }

    [Fact]
    public async Task InvalidInputsStopTheRunWithErrorsAndExitCode2()
    {
        var run = await harness.RunAsync(Reports.Passing(), configure: env =>
        {
            env["INPUT_FAIL-ON"] = "sometimes";
            env["INPUT_COMMENT"] = "yes";
        });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            [
                "::error title=MLOpsGate::input 'fail-on' is 'sometimes'; use error, warning or never",
                "::error title=MLOpsGate::input 'comment' is 'yes'; use true or false",
            ],
            run.Lines);
    }

    [Theory]
    [InlineData("warning", 1, "fail")]
    [InlineData("error", 0, "pass")]
    [InlineData("never", 0, "pass")]
    public async Task FailOnReachesTheGate(string failOn, int exitCode, string verdict)
    {
        var seen = new List<Core.Checks.FailOn>();
        var run = await harness.RunAsync(
            (settings, _) =>
            {
                seen.Add(settings.FailOn);
                var report = Reports.Failing(errors: 0, warnings: 2);
                return settings.FailOn == Core.Checks.FailOn.Warning ? report with { Verdict = Verdict.Fail } : report;
            },
            configure: env =>
            {
                env["INPUT_FAIL-ON"] = failOn;
                env.Remove("INPUT_GITHUB-TOKEN");
            });

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Equal(verdict, run.Outputs["verdict"]);
        Assert.Equal(Enum.Parse<Core.Checks.FailOn>(failOn, ignoreCase: true), Assert.Single(seen));
    }

    [Fact]
    public async Task AnInvalidManifestIsAnErrorVerdictWithExitCode2AndAnnotationsAtTheKey()
    {
        harness.Write("workspace/mlopsgate.yml", "version: 1\nmodels:\n  - name: m\n    artefact: x.onnx\n");
        var run = await harness.RunAsync(GateExecution.Run, configure: env => env.Remove("INPUT_GITHUB-TOKEN"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error", run.Outputs["verdict"]);
        Assert.Contains(run.Commands("error"), l => l.StartsWith("::error file=mlopsgate.yml,line=", StringComparison.Ordinal) && l.Contains("MLG001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingManifestIsAnErrorVerdict()
    {
        var run = await harness.RunAsync(GateExecution.Run, configure: env =>
        {
            env["INPUT_MANIFEST"] = "nowhere/mlopsgate.yml";
            env.Remove("INPUT_GITHUB-TOKEN");
        });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error", run.Outputs["verdict"]);
        Assert.Contains(run.Commands("error"), l => l.Contains("file=nowhere/mlopsgate.yml", StringComparison.Ordinal));
    }

    [Fact]
    public void AnnotationsOrderErrorsFirstAndKeepTitlesWithinGitHubsLimit()
    {
        var report = Reports.Failing(errors: 1, warnings: 1, notes: 1, model: new string('m', 400));
        var reordered = report with
        {
            Models = [report.Models[0] with { Findings = report.Models[0].Findings.Reverse().ToList() }],
        };
        var annotations = FindingAnnotation.From(reordered);

        Assert.Equal([Severity.Error, Severity.Warning, Severity.Note], annotations.Select(a => a.Severity));
        Assert.All(annotations, a => Assert.InRange(a.Title.Length, 1, FindingAnnotation.MaxTitleLength));
    }

    [Fact]
    public async Task AGateThatThrowsEndsWithAnErrorVerdictAndNoStackTrace()
    {
        using var server = new FakeGitHubServer();
        var run = await harness.RunAsync((_, _) => throw new InvalidDataException("bad tensor"), server);

        server.AssertEveryRequestValid();
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error", run.Outputs["verdict"]);
        Assert.Equal("::error title=MLOpsGate::the gate could not run (InvalidDataException: bad tensor)", Assert.Single(run.Commands("error")));
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("failure", (string?)server.CheckRuns.Single()["conclusion"]);
    }
}
