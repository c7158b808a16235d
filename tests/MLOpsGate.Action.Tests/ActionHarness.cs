using MLOpsGate.Action.GitHub;
using MLOpsGate.Action.Tests.GitHubApi;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Action.Tests;

/// <summary>The result of one Action run: exit code, stdout, the files the runner would read back.</summary>
public sealed record ActionRun(int ExitCode, string Stdout, IReadOnlyDictionary<string, string> Outputs, string Summary, IReadOnlyList<TimeSpan> Waits)
{
    public IReadOnlyList<string> Lines => Stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();

    /// <summary>The lines the runner reads as workflow commands: everything outside `::stop-commands::TOKEN` … `::TOKEN::`.</summary>
    public IReadOnlyList<string> CommandLines
    {
        get
        {
            var result = new List<string>();
            string? resume = null;
            foreach (var line in Lines)
            {
                if (resume is not null)
                {
                    resume = line == resume ? null : resume;
                }
                else if (line.StartsWith("::stop-commands::", StringComparison.Ordinal))
                {
                    resume = $"::{line["::stop-commands::".Length..]}::";
                }
                else if (line.StartsWith("::", StringComparison.Ordinal))
                {
                    result.Add(line);
                }
            }

            return result;
        }
    }

    public IReadOnlyList<string> Commands(string command) => CommandLines.Where(l => l.StartsWith($"::{command} ", StringComparison.Ordinal) || l.StartsWith($"::{command}::", StringComparison.Ordinal)).ToList();
}

/// <summary>
/// Runs the Action in-process the way the runner starts it: INPUT_* and GITHUB_* variables, a workspace,
/// the file-command files, an event file; the gate itself can be replaced by a canned report.
/// </summary>
internal sealed class ActionHarness : IDisposable
{
    public const string HeadSha = "1111111111111111111111111111111111111111";
    public const string MergeSha = "2222222222222222222222222222222222222222";
    public const int PullRequest = 7;

    private readonly TempWorkspace files = new(withGitDirectory: false);

    public ActionHarness()
    {
        Workspace = files.CreateDirectory("workspace");
        files.Write("workspace/mlopsgate.yml", "version: 1\nmodels: []\n");
        EventPath = files.Write("workflow/event.json", PullRequestEvent(PullRequest, HeadSha));
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_EVENT_PATH"] = EventPath,
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_REPOSITORY"] = "octo/repo",
            ["GITHUB_SHA"] = MergeSha,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_RUN_ID"] = "42",
            ["INPUT_MANIFEST"] = "mlopsgate.yml",
            ["INPUT_GITHUB-TOKEN"] = "ghs_test_token",
            ["INPUT_FAIL-ON"] = "error",
            ["INPUT_ANNOTATE"] = "true",
            ["INPUT_COMMENT"] = "true",
        };
    }

    public string Workspace { get; }

    public string EventPath { get; }

    public Dictionary<string, string> Environment { get; }

    public static string PullRequestEvent(int number, string headSha) => $$"""
        {
          "action": "synchronize",
          "number": {{number}},
          "pull_request": {
            "number": {{number}},
            "html_url": "https://github.com/octo/repo/pull/{{number}}",
            "state": "open",
            "draft": false,
            "head": { "sha": "{{headSha}}", "ref": "feature", "repo": { "full_name": "octo/repo", "fork": false } },
            "base": { "sha": "3333333333333333333333333333333333333333", "ref": "main", "repo": { "full_name": "octo/repo" } }
          },
          "repository": { "full_name": "octo/repo", "name": "repo", "owner": { "login": "octo" } }
        }
        """;

    public string Write(string relative, string content) => files.Write(relative, content);

    public async Task<ActionRun> RunAsync(GateReport report, FakeGitHubServer? server = null, Action<IDictionary<string, string>>? configure = null) =>
        await RunAsync((_, _) => report, server, configure);

    public async Task<ActionRun> RunAsync(Func<ActionSettings, Action<string>, GateReport> gate, FakeGitHubServer? server = null, Action<IDictionary<string, string>>? configure = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var outputFile = files.Write($"file_commands/set_output_{id}", string.Empty);
        var summaryFile = files.Write($"file_commands/step_summary_{id}", string.Empty);
        var environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal)
        {
            ["GITHUB_OUTPUT"] = outputFile,
            ["GITHUB_STEP_SUMMARY"] = summaryFile,
        };
        if (server is not null)
        {
            environment["GITHUB_API_URL"] = server.ApiUrl;
        }

        configure?.Invoke(environment);
        var waits = new List<TimeSpan>();
        var services = new ActionServices
        {
            RunGate = gate,
            Retry = new RetryPolicy((wait, _) =>
            {
                lock (waits)
                {
                    waits.Add(wait);
                }

                return Task.CompletedTask;
            }),
        };
        using var stdout = new StringWriter();
        var exitCode = await ActionRunner.RunAsync(environment, stdout, services);
        return new ActionRun(exitCode, stdout.ToString(), RunnerFileCommands.ParseOutputs(File.ReadAllText(outputFile)), File.ReadAllText(summaryFile), waits);
    }

    public void Dispose() => files.Dispose();
}

/// <summary>Canned gate reports.</summary>
internal static class Reports
{
    public static GateReport Passing(string model = "digits-inverted-ok") => new()
    {
        Tool = new ToolInfo("mlopsgate", "0.1.0"),
        Manifest = "mlopsgate.yml",
        Verdict = Verdict.Pass,
        Models = [new ModelReport { Name = model, Artifact = "models/ok.onnx", Verdict = Verdict.Pass }],
    };

    /// <summary>A failing report with the given numbers of error, warning and note findings spread over one model.</summary>
    public static GateReport Failing(int errors, int warnings = 0, int notes = 0, string model = "digits-mlp", string site = "fc{0}.weight")
    {
        var findings = new List<Finding>();
        for (int i = 0; i < errors + warnings + notes; i++)
        {
            var severity = i < errors ? Severity.Error : i < errors + warnings ? Severity.Warning : Severity.Note;
            findings.Add(new Finding
            {
                Rule = severity == Severity.Error ? "MLG003" : severity == Severity.Warning ? "MLG006" : "MLG016",
                Kind = severity == Severity.Error ? "missing-dropout-scaling" : "saturation",
                Severity = severity,
                DefaultSeverity = severity,
                Message = $"site '{string.Format(System.Globalization.CultureInfo.InvariantCulture, site, i)}' is off by 2.0 (finding {i})",
                Site = string.Format(System.Globalization.CultureInfo.InvariantCulture, site, i),
                EstimatedScale = 2.0,
                Location = new ReportLocation("mlopsgate.yml", 10 + i, 9),
                Fix = $"multiply initializer by 0.5 (finding {i})",
            });
        }

        var verdict = errors > 0 ? Verdict.Fail : Verdict.Pass;
        return new GateReport
        {
            Tool = new ToolInfo("mlopsgate", "0.1.0"),
            Manifest = "mlopsgate.yml",
            Verdict = verdict,
            Models = [new ModelReport { Name = model, Artifact = "models/digits.onnx", Verdict = verdict, Findings = findings }],
        };
    }
}
