using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Tests.Reporting;

/// <summary>Hand-built reports for the report writers: hostile names, many findings, manifest problems.</summary>
internal static class SyntheticReports
{
    public const string Manifest = "models/mlopsgate.yml";

    /// <summary>Names an attacker or an unlucky exporter could give a model or tensor.</summary>
    public const string HostileModel = "evil::model|<script>alert(1)</script>\nsecond line 100% *bold* _it_ `code` [link](http://x) & ~~s~~ $x$";

    public const string HostileSite = "layer::fc|2\n<img src=x onerror=alert(1)>%0A";

    public static Finding NewFinding(RuleDescriptor rule, Severity severity, int line, int column, string message, string? site = null, double? scale = null, string? fix = null) => new()
    {
        Rule = rule.Id,
        Kind = rule.Kind,
        Severity = severity,
        DefaultSeverity = rule.DefaultSeverity,
        Message = message,
        Site = site,
        EstimatedScale = scale,
        Location = new ReportLocation(Manifest, line, column),
        Fix = fix,
    };

    /// <summary>A failing model with hostile names, a passing model and a skipped one.</summary>
    public static GateReport Hostile() => new()
    {
        Tool = new ToolInfo("mlopsgate", "0.1.0"),
        Manifest = Manifest,
        Verdict = Verdict.Fail,
        Models =
        [
            new ModelReport
            {
                Name = HostileModel,
                Artifact = "models/<b>bold</b>.onnx",
                Verdict = Verdict.Fail,
                Metrics = new OutputMetrics(64, 3.25, 0.9, 0.4, 0.97, 0.71),
                Sites =
                [
                    new SiteReport { Id = HostileSite, Rate = 0.5, EstimatedScale = 2.0, RawScale = 2.0, Evidence = EvidenceKind.Activations, Status = SiteStatus.Diverged },
                    new SiteReport { Id = "fc3.weight", Rate = 0.2, EstimatedScale = 1.0, RawScale = 2.0, Evidence = EvidenceKind.Activations, Status = SiteStatus.Consequence },
                    new SiteReport { Id = "fc4.weight", Rate = 0.1, Status = SiteStatus.Unverified },
                ],
                Notes = [new ReportNote("input converted from float64 to float32 <b>|</b>", HostileSite)],
                Findings =
                [
                    NewFinding(RuleCatalog.StochasticOp, Severity.Warning, 14, 5, "random op RandomUniformLike '<script>x</script>' is left in the graph"),
                    NewFinding(RuleCatalog.MissingDropoutScaling, Severity.Error, 12, 11, $"the layer output at site {HostileSite} is 2.00x the reference", HostileSite, 2.0, $"multiply initializer '{HostileSite}' by 0.5"),
                ],
            },
            new ModelReport
            {
                Name = "plain_model",
                Artifact = "models/plain.onnx",
                Verdict = Verdict.Pass,
                Metrics = new OutputMetrics(64, 6e-7, 17, 0, 0.99999994, null),
                Sites = [new SiteReport { Id = "fc2.weight", Rate = 0.5, EstimatedScale = 1.0, RawScale = 1.0, Evidence = EvidenceKind.Checkpoint, Status = SiteStatus.Ok }],
                Findings = [NewFinding(RuleCatalog.ConventionNote, Severity.Note, 30, 7, "convention 'standard' differs from pytorch's default 'inverted'")],
            },
            new ModelReport { Name = "not-selected", Artifact = "models/other.onnx", Verdict = Verdict.Skipped },
        ],
    };

    /// <summary>A failing model with <paramref name="count"/> findings of every severity (many more than a comment holds).</summary>
    public static GateReport Many(int count)
    {
        var severities = new[] { Severity.Error, Severity.Warning, Severity.Note };
        var findings = Enumerable.Range(0, count).Select(i =>
        {
            var rule = RuleCatalog.All[i % RuleCatalog.All.Count];
            var severity = severities[i % 3];
            return NewFinding(rule, severity, 10 + i, 9, $"finding {i}: the layer output at site layer{i}.weight is 2.00x the reference | <{i}>", $"layer{i}.weight", 2.0, $"multiply initializer 'layer{i}.weight' by 0.5");
        }).ToList();
        var sites = Enumerable.Range(0, count).Select(i => new SiteReport { Id = $"layer{i}.weight", Rate = 0.5, EstimatedScale = 2.0, Evidence = EvidenceKind.Outputs, Status = SiteStatus.Diverged }).ToList();
        return new GateReport
        {
            Tool = new ToolInfo("mlopsgate", "0.1.0"),
            Manifest = Manifest,
            Verdict = Verdict.Fail,
            Models =
            [
                new ModelReport { Name = "huge", Artifact = "models/huge.onnx", Verdict = Verdict.Fail, Sites = sites, Findings = findings, Notes = [new ReportNote("a keep/drop swap cannot be detected at p = 0.5")] },
                new ModelReport { Name = "fine", Artifact = "models/fine.onnx", Verdict = Verdict.Pass, Sites = [new SiteReport { Id = "fc.weight", Rate = 0.5, EstimatedScale = 1.0, Evidence = EvidenceKind.Checkpoint, Status = SiteStatus.Ok }] },
            ],
        };
    }

    /// <summary>An invalid manifest: no models, only problems.</summary>
    public static GateReport InvalidManifest() => new()
    {
        Tool = new ToolInfo("mlopsgate", "0.1.0"),
        Manifest = Manifest,
        Verdict = Verdict.Error,
        Models = [],
        Problems =
        [
            NewFinding(RuleCatalog.ManifestInvalid, Severity.Error, 4, 5, "unknown key 'artefact' (did you mean 'artifact'?)"),
            NewFinding(RuleCatalog.ManifestInvalid, Severity.Error, 10, 11, "'rate' must be a number, got 'half'"),
        ],
    };
}
