using System.Text.Json.Serialization;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Reporting;

public enum Verdict
{
    [JsonStringEnumMemberName("pass")]
    Pass,
    [JsonStringEnumMemberName("fail")]
    Fail,
    [JsonStringEnumMemberName("error")]
    Error,
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}

public enum SiteStatus
{
    [JsonStringEnumMemberName("ok")]
    Ok,
    [JsonStringEnumMemberName("diverged")]
    Diverged,
    [JsonStringEnumMemberName("consequence")]
    Consequence,
    [JsonStringEnumMemberName("unverified")]
    Unverified,
    [JsonStringEnumMemberName("not-found")]
    NotFound,
}

/// <summary>The strongest kind of evidence behind a site's verdict, strongest first.</summary>
public enum EvidenceKind
{
    [JsonStringEnumMemberName("checkpoint")]
    Checkpoint,
    [JsonStringEnumMemberName("activations")]
    Activations,
    [JsonStringEnumMemberName("outputs")]
    Outputs,
    [JsonStringEnumMemberName("graph")]
    Graph,
}

/// <summary>A manifest location, workspace-relative with '/' separators.</summary>
public sealed record ReportLocation(string File, int Line, int Column);

public sealed record Finding
{
    public required string Rule { get; init; }
    public required string Kind { get; init; }
    public required Severity Severity { get; init; }
    public required Severity DefaultSeverity { get; init; }
    public required string Message { get; init; }
    public string? Site { get; init; }
    public double? EstimatedScale { get; init; }
    public double? ExplainingRate { get; init; }
    public required ReportLocation Location { get; init; }
    public string? Fix { get; init; }
}

public sealed record OutputMetrics(
    long Samples,
    double MaxAbsError,
    double MaxRelError,
    double MismatchFraction,
    double Cosine,
    double? ArgmaxAgreement);

public sealed record SiteReport
{
    public required string Id { get; init; }
    public required double Rate { get; init; }
    public double? EstimatedScale { get; init; }
    public double? RawScale { get; init; }

    /// <summary>With checkpoint evidence: the plain least-squares ratio of exported to checkpoint weights.</summary>
    public double? WeightRatio { get; init; }
    public EvidenceKind? Evidence { get; init; }
    public required SiteStatus Status { get; init; }
}

public sealed record ReportNote(string Message, string? Site = null);

public sealed record ModelReport
{
    public required string Name { get; init; }
    public required string Artifact { get; init; }
    public required Verdict Verdict { get; init; }
    public long DurationMs { get; init; }
    public OutputMetrics? Metrics { get; init; }
    public IReadOnlyList<SiteReport> Sites { get; init; } = [];
    public IReadOnlyList<ReportNote> Notes { get; init; } = [];
    public int CounterfactualVariants { get; init; }
    public IReadOnlyList<Finding> Findings { get; init; } = [];
}

public sealed record ToolInfo(string Name, string Version);

public sealed record GateReport
{
    public int SchemaVersion { get; init; } = 1;
    public required ToolInfo Tool { get; init; }
    public required string Manifest { get; init; }
    public required Verdict Verdict { get; init; }
    public required IReadOnlyList<ModelReport> Models { get; init; }

    /// <summary>Problems with the manifest itself (MLG001, or an unreadable manifest), when no model could be checked.</summary>
    public IReadOnlyList<Finding>? Problems { get; init; }

    public int CountErrors() => AllFindings().Count(f => f.Severity == Severity.Error);

    public int CountWarnings() => AllFindings().Count(f => f.Severity == Severity.Warning);

    public IEnumerable<Finding> AllFindings() => (Problems ?? []).Concat(Models.SelectMany(m => m.Findings));
}
