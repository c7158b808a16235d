using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Action;

/// <summary>
/// One finding as an annotation on the manifest (a text file: model artifacts are binary). The message already
/// ends with what to do; the fix (with the `mlopsgate fix` command) goes into the check run's raw details.
/// </summary>
internal sealed record FindingAnnotation(Severity Severity, string Path, int Line, int Column, string Title, string Message, string? Fix)
{
    /// <summary>GitHub's limit on a check-run annotation title.</summary>
    public const int MaxTitleLength = 255;

    /// <summary>Kept well under the runner's 4,096-character cut of workflow-command messages and the check-run 64 KB.</summary>
    public const int MaxMessageLength = 4000;

    /// <summary>Every finding of the report, most important first: errors, warnings, notes; report order within a level.</summary>
    public static IReadOnlyList<FindingAnnotation> From(GateReport report)
    {
        var all = (report.Problems ?? []).Select(f => Create(f, null))
            .Concat(report.Models.SelectMany(m => m.Findings.Select(f => Create(f, m.Name))));
        return all.OrderByDescending(a => a.Severity).ToList();
    }

    private static FindingAnnotation Create(Finding finding, string? model)
    {
        var title = $"{finding.Rule} {finding.Kind}" + (model is null ? string.Empty : $" ({model})");
        return new FindingAnnotation(
            finding.Severity,
            finding.Location.File,
            Math.Max(1, finding.Location.Line),
            Math.Max(1, finding.Location.Column),
            Truncate(title, MaxTitleLength),
            Truncate(finding.Message, MaxMessageLength),
            finding.Fix is null ? null : Truncate(finding.Fix, MaxMessageLength));
    }

    internal static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
