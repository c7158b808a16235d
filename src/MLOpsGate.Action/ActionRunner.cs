using MLOpsGate.Action.GitHub;
using MLOpsGate.Action.Workflow;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Reporting;
using Octokit;

namespace MLOpsGate.Action;

/// <summary>The replaceable parts of a run: the gate itself, the GitHub client and the wait between retries.</summary>
internal sealed class ActionServices
{
    /// <summary>Runs the gate; progress lines go to the given callback.</summary>
    public Func<ActionSettings, Action<string>, GateReport> RunGate { get; init; } = GateExecution.Run;

    public Func<ActionSettings, IGitHubClient> CreateClient { get; init; } = GitHubConnection.Create;

    public RetryPolicy Retry { get; init; } = new();
}

/// <summary>
/// The Action: runs the gate, writes the JSON report (and SARIF when asked), the job summary and the outputs,
/// publishes the check run and the PR comment when the token can write, prints the annotations, and exits per
/// `fail-on`: 0 passed, 1 failed, 2 the gate could not run.
/// </summary>
internal static class ActionRunner
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> environment, TextWriter stdout, ActionServices services)
    {
        var (settings, problems) = ActionSettings.Read(environment);
        if (settings is null)
        {
            foreach (var problem in problems)
            {
                stdout.WriteLine(WorkflowCommands.Error(problem));
            }

            return ExitCodes.CannotRun;
        }

        // Everything derived from the manifest and the models (names can hold "::") is printed between
        // stop-commands markers, so the runner never reads it as a workflow command.
        var resumeToken = "mlopsgate-" + Guid.NewGuid().ToString("N");
        stdout.WriteLine($"::stop-commands::{resumeToken}");
        GateReport report;
        string? crash = null;
        try
        {
            report = services.RunGate(settings, line => stdout.WriteLine(line));
            TextReportWriter.Write(report, settings.Manifest, stdout);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Never a stack trace: the run still ends with an `error` verdict, outputs, summary and check run.
            crash = $"the gate could not run ({exception.GetType().Name}: {exception.Message})";
            report = new GateReport { Tool = Gate.Tool, Manifest = settings.ManifestRelativePath, Verdict = Verdict.Error, Models = [] };
        }
        finally
        {
            stdout.WriteLine($"::{resumeToken}::");
        }

        if (crash is not null)
        {
            stdout.WriteLine(WorkflowCommands.Error(crash));
        }

        var displayPath = settings.ManifestRelativePath;
        string Markdown(int budget) => MarkdownReportWriter.Render(report, displayPath, budget);

        JsonReportWriter.Write(report, settings.ReportFullPath);
        if (settings.Sarif is not null)
        {
            SarifReportWriter.Write(report, Path.GetFullPath(Path.Combine(settings.Workspace, settings.Sarif)));
        }

        if (settings.SummaryFile is not null)
        {
            StepSummary.Append(settings.SummaryFile, Markdown);
        }

        if (settings.OutputFile is not null)
        {
            OutputsFile.Append(settings.OutputFile, Outputs(report));
        }

        var annotations = settings.Annotate ? FindingAnnotation.From(report) : [];
        var notice = await PublishAsync(settings, report, annotations, Markdown, services).ConfigureAwait(false);
        foreach (var line in WorkflowCommands.Plan(annotations, notice is null ? [] : [notice], ActionSettings.ReportPath))
        {
            stdout.WriteLine(line);
        }

        return report.Verdict switch
        {
            Verdict.Pass => ExitCodes.Passed,
            Verdict.Fail => ExitCodes.Failed,
            _ => ExitCodes.CannotRun,
        };
    }

    public static IEnumerable<(string Name, string Value)> Outputs(GateReport report) =>
    [
        ("verdict", report.Verdict.ToString().ToLowerInvariant()),
        ("errors", report.CountErrors().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("warnings", report.CountWarnings().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("report", ActionSettings.ReportPath),
    ];

    private static async Task<string?> PublishAsync(
        ActionSettings settings,
        GateReport report,
        IReadOnlyList<FindingAnnotation> annotations,
        Func<int, string> markdown,
        ActionServices services)
    {
        if (settings.Token is null)
        {
            return "No github-token, so no check run or pull-request comment was written; the results are in the annotations and the job summary.";
        }

        var repository = settings.Repository?.Split('/', 2);
        var payload = EventPayload.Read(settings.EventPath);
        var sha = payload.HeadSha ?? settings.Sha;
        if (repository is not [{ Length: > 0 } owner, { Length: > 0 } name] || sha is null)
        {
            return "GITHUB_REPOSITORY or the commit SHA is not set, so no check run or pull-request comment was written.";
        }

        var request = new PublishRequest
        {
            Report = report,
            Annotations = annotations,
            ManifestPath = settings.ManifestRelativePath,
            Owner = owner,
            Repository = name,
            HeadSha = sha,
            PullRequest = payload.PullRequestNumber,
            Comment = settings.Comment,
            DetailsUrl = settings.ServerUrl is not null && settings.RunId is not null
                ? $"{settings.ServerUrl.TrimEnd('/')}/{settings.Repository}/actions/runs/{settings.RunId}"
                : null,
            FailOn = settings.FailOn.ToString().ToLowerInvariant(),
            RenderMarkdown = markdown,
        };
        try
        {
            var client = services.CreateClient(settings);
            return await new GitHubPublisher(client, services.Retry).PublishAsync(request).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ArgumentException or UriFormatException or InvalidOperationException)
        {
            return $"GitHub could not be reached ({exception.Message}); the verdict is unchanged.";
        }
    }
}

internal static class ExitCodes
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int CannotRun = 2;
}
