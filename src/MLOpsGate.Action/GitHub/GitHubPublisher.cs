using System.Net;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using Octokit;

namespace MLOpsGate.Action.GitHub;

/// <summary>What to publish and where.</summary>
internal sealed record PublishRequest
{
    public required GateReport Report { get; init; }

    /// <summary>The check-run annotations (empty when the `annotate` input is false).</summary>
    public required IReadOnlyList<FindingAnnotation> Annotations { get; init; }

    /// <summary>The manifest, workspace-relative: names the check run and goes into the comment's hidden marker.</summary>
    public required string ManifestPath { get; init; }

    public required string Owner { get; init; }

    public required string Repository { get; init; }

    public required string HeadSha { get; init; }

    public int? PullRequest { get; init; }

    public bool Comment { get; init; } = true;

    public string? DetailsUrl { get; init; }

    public required string FailOn { get; init; }

    /// <summary>Renders the Markdown summary within a character budget.</summary>
    public required Func<int, string> RenderMarkdown { get; init; }
}

/// <summary>
/// Publishes the gate's result with a token that can write: a check run on the head SHA (annotations in batches
/// of 50: create, then update to append) and ONE pull-request comment found again by a hidden marker. Any GitHub
/// failure becomes the one notice <see cref="PublishAsync"/> returns; it never throws and never changes the verdict.
/// </summary>
internal sealed class GitHubPublisher(IGitHubClient client, RetryPolicy retry)
{
    public const int AnnotationsPerRequest = 50;
    public const int MaxOutputText = 65535;
    public const int MaxCommentBody = 65536;

    public static string CheckName(string manifestPath) =>
        manifestPath == ActionSettings.DefaultManifest ? "MLOpsGate" : $"MLOpsGate ({manifestPath})";

    /// <summary>The hidden marker that finds this gate's comment again; it names the manifest so two gates in one repository keep one comment each.</summary>
    public static string Marker(string manifestPath) => $"<!-- mlopsgate-summary manifest={Uri.EscapeDataString(manifestPath)} -->";

    /// <summary>Publishes; returns the one notice to show when something could not be written, else null.</summary>
    public async Task<string?> PublishAsync(PublishRequest request)
    {
        bool checkRunWritten = false;
        bool unreachable = false;
        var problems = new List<string>();
        try
        {
            await CreateCheckRunAsync(request).ConfigureAwait(false);
            checkRunWritten = true;
        }
        catch (Exception exception) when (IsReadOnlyToken(exception))
        {
            return ReadOnlyNotice(exception);
        }
        catch (Exception exception)
        {
            problems.Add($"the check run could not be written ({Describe(exception)})");
            unreachable = exception is HttpRequestException or TaskCanceledException;
        }

        // When GitHub cannot be reached at all, the comment would only wait through the same retries.
        if (request.Comment && request.PullRequest is { } number && !unreachable)
        {
            try
            {
                await retry.RunAsync(() => UpsertCommentAsync(request, number)).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsReadOnlyToken(exception) && !checkRunWritten)
            {
                return ReadOnlyNotice(exception);
            }
            catch (Exception exception)
            {
                problems.Add($"the pull-request comment could not be written ({Describe(exception)})");
            }
        }

        return problems.Count == 0
            ? null
            : $"{Capitalize(string.Join("; ", problems))}. The verdict is unchanged; the results are in the annotations and the job summary.";
    }

    private async Task CreateCheckRunAsync(PublishRequest request)
    {
        var report = request.Report;
        var title = Title(report);
        var summary = FindingAnnotation.Truncate(Summary(request), MaxOutputText);
        var text = request.RenderMarkdown(MaxOutputText);
        var batches = request.Annotations.Chunk(AnnotationsPerRequest).Select(b => b.Select(ToOctokit).ToList()).ToList();
        var conclusion = report.Verdict == Verdict.Pass ? CheckConclusion.Success : CheckConclusion.Failure;

        var create = new NewCheckRun(CheckName(request.ManifestPath), request.HeadSha)
        {
            ExternalId = request.ManifestPath,
            DetailsUrl = request.DetailsUrl,
            Output = new NewCheckRunOutput(title, summary) { Text = text, Annotations = batches.Count > 0 ? batches[0] : null },
        };
        if (batches.Count <= 1)
        {
            create.Status = CheckStatus.Completed;
            create.Conclusion = conclusion;
            create.CompletedAt = DateTimeOffset.UtcNow;
        }
        else
        {
            create.Status = CheckStatus.InProgress;
        }

        var run = await retry.RunAsync(() => client.Check.Run.Create(request.Owner, request.Repository, create)).ConfigureAwait(false);
        for (int i = 1; i < batches.Count; i++)
        {
            var update = new CheckRunUpdate
            {
                Output = new NewCheckRunOutput(title, summary) { Text = text, Annotations = batches[i] },
            };
            if (i == batches.Count - 1)
            {
                update.Status = CheckStatus.Completed;
                update.Conclusion = conclusion;
                update.CompletedAt = DateTimeOffset.UtcNow;
            }

            await retry.RunAsync(() => client.Check.Run.Update(request.Owner, request.Repository, run.Id, update)).ConfigureAwait(false);
        }
    }

    /// <summary>Finds this gate's comment by its marker and updates it, or creates it; retried as a whole so a retry never duplicates it.</summary>
    private async Task<bool> UpsertCommentAsync(PublishRequest request, int number)
    {
        var marker = Marker(request.ManifestPath);
        var body = marker + "\n" + request.RenderMarkdown(MaxCommentBody - marker.Length - 1);
        var comments = await client.Issue.Comment.GetAllForIssue(request.Owner, request.Repository, number).ConfigureAwait(false);
        var existing = comments.FirstOrDefault(c => c.Body is not null && c.Body.Contains(marker, StringComparison.Ordinal));
        if (existing is not null)
        {
            await client.Issue.Comment.Update(request.Owner, request.Repository, existing.Id, body).ConfigureAwait(false);
        }
        else
        {
            await client.Issue.Comment.Create(request.Owner, request.Repository, number, body).ConfigureAwait(false);
        }

        return existing is not null;
    }

    private static NewCheckRunAnnotation ToOctokit(FindingAnnotation annotation)
    {
        var level = annotation.Severity switch
        {
            Severity.Error => CheckAnnotationLevel.Failure,
            Severity.Warning => CheckAnnotationLevel.Warning,
            _ => CheckAnnotationLevel.Notice,
        };
        return new NewCheckRunAnnotation(annotation.Path, annotation.Line, annotation.Line, level, annotation.Message)
        {
            StartColumn = annotation.Column,
            EndColumn = annotation.Column,
            Title = annotation.Title,
            RawDetails = annotation.Fix is null ? null : "Fix: " + annotation.Fix,
        };
    }

    private static string Title(GateReport report)
    {
        var counts = $"{Plural(report.CountErrors(), "error")}, {Plural(report.CountWarnings(), "warning")}";
        return report.Verdict switch
        {
            Verdict.Pass => $"Gate passed: {counts}",
            Verdict.Fail => $"Gate failed: {counts}",
            _ => $"Gate could not run: {counts}",
        };
    }

    private static string Summary(PublishRequest request)
    {
        var report = request.Report;
        var models = report.Models.Where(m => m.Verdict != Verdict.Skipped).ToList();
        return $"MLOpsGate checked {models.Count} {(models.Count == 1 ? "model" : "models")} of `{request.ManifestPath.Replace("`", "'", StringComparison.Ordinal)}`: " +
            $"verdict **{report.Verdict.ToString().ToLowerInvariant()}** (fail-on: {request.FailOn}), " +
            $"{Plural(report.CountErrors(), "error")}, {Plural(report.CountWarnings(), "warning")}.";
    }

    private static string Plural(int count, string word) => $"{count} {word}{(count == 1 ? string.Empty : "s")}";

    /// <summary>A token that may not write here: pull requests from forks get a read-only token (403 "Resource not accessible by integration").</summary>
    private static bool IsReadOnlyToken(Exception exception) =>
        exception is ApiException api &&
        (api.StatusCode == HttpStatusCode.NotFound ||
         (api.StatusCode == HttpStatusCode.Forbidden && api is not (RateLimitExceededException or SecondaryRateLimitExceededException or AbuseException)));

    private static string ReadOnlyNotice(Exception exception) =>
        "The token cannot write checks or pull-request comments here (" + Describe(exception) + "; pull requests from forks get a read-only token), " +
        "so no check run or comment was written. The verdict is unchanged; the results are in the annotations and the job summary.";

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Describe(Exception exception) => exception switch
    {
        ApiException api => $"HTTP {(int)api.StatusCode}: {api.ApiError?.Message ?? api.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
