using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Checks;

/// <summary>Collects a model's findings: one per rule and site (or node), with the effective severity.</summary>
public sealed class FindingCollector(ModelSpec model, string manifestFile)
{
    // Rules whose severity a model's `severity` moves between error and warning.
    private static readonly HashSet<string> GateFailingRules = ["MLG003", "MLG004", "MLG007", "MLG013"];

    private readonly List<Finding> findings = [];
    private readonly HashSet<(string, string?)> seen = [];

    public IReadOnlyList<Finding> Findings => findings;

    /// <summary>The command that applies the diagnosed corrections to this model.</summary>
    public string FixCommand => $"mlopsgate fix --manifest {manifestFile} --model {model.Name} --output FILE";

    public bool Has(RuleDescriptor rule) => findings.Any(f => f.Rule == rule.Id);

    public bool CouldNotRun => findings.Any(f => f.Rule is "MLG001" or "MLG002");

    public void Add(
        RuleDescriptor rule,
        string message,
        SourceLocation location,
        string? site = null,
        string? fix = null,
        double? estimatedScale = null,
        double? explainingRate = null,
        string? subject = null,
        bool messageHasFix = false)
    {
        if (!seen.Add((rule.Id, subject ?? site)))
        {
            return;
        }

        findings.Add(new Finding
        {
            Rule = rule.Id,
            Kind = rule.Kind,
            Severity = EffectiveSeverity(rule),
            DefaultSeverity = rule.DefaultSeverity,
            // Every message says what to do, also where only the message is shown (MSBuild, annotations).
            Message = fix is null || messageHasFix ? message : $"{message}; fix: {fix}",
            Site = site,
            EstimatedScale = estimatedScale is { } s ? Math.Round(s, 4) : null,
            ExplainingRate = explainingRate,
            Location = new ReportLocation(manifestFile, location.Line, location.Column),
            Fix = fix,
        });
    }

    private Severity EffectiveSeverity(RuleDescriptor rule)
    {
        if (GateFailingRules.Contains(rule.Id))
        {
            return model.Severity == GateSeverity.Warning ? Severity.Warning : Severity.Error;
        }

        if (rule == RuleCatalog.ScalingUnverified)
        {
            return model.Convention == DropoutConvention.Standard ? Severity.Error : Severity.Warning;
        }

        return rule.DefaultSeverity;
    }
}
