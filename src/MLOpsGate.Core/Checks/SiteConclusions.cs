using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using static MLOpsGate.Core.Checks.StaticChecks;

namespace MLOpsGate.Core.Checks;

/// <summary>Turns a site's measured scale into its status and, for a fault, a finding that says what was measured, what was expected and the fix.</summary>
internal sealed class SiteConclusions(ModelSpec spec, FindingCollector findings, List<ReportNote> notes)
{
    /// <summary>Sets the site's status and reports its fault, if any, with what was measured, what was expected, and the fix.</summary>
    public void Conclude(SiteDiagnosis d, ScaleClass cls, double scale, string measured, double? raw)
    {
        var site = d.Site;
        var s = site.Spec;
        if (cls.SwapUndetectable && spec.Convention == DropoutConvention.Standard)
        {
            notes.Add(new ReportNote($"a keep/drop swap cannot be detected at p = 0.5 (p/keep = 1) for site '{s.Id}'", s.Id));
        }

        if (cls.IsOk)
        {
            bool inherited = raw is { } r && !ScaleClassifier.Classify(r, s, spec.Convention).IsOk;
            d.Status = inherited ? SiteStatus.Consequence : SiteStatus.Ok;
            AddPlacementNote(site);
            return;
        }

        d.Status = SiteStatus.Diverged;
        double correction = 1.0 / (cls.CandidateScale ?? scale);
        d.CorrectionFactor = correction;
        d.Rule = cls.Rule!.Id;
        d.ExplainingRate = cls.ExplainingRate;
        string expectation = spec.Convention == DropoutConvention.Standard
            ? $"standard dropout p={F(s.Rate)} needs keep = {F(s.Keep)} in the export"
            : $"inverted dropout p={F(s.Rate)} needs no compensation";
        string meaning = cls.Rule!.Id switch
        {
            "MLG003" => $" = 1/keep: the keep factor {F(s.Keep)} is missing",
            "MLG004" => $" = keep: the keep factor {F(s.Keep)} is applied although {(spec.Convention == DropoutConvention.Inverted ? "inverted dropout already rescales in training" : "the model was already compensated")}",
            "MLG013" => $" = p/keep: the export multiplied by p = {F(s.Rate)} instead of keep = {F(s.Keep)}",
            _ => cls.ExplainingRate is { } rate
                ? $", which matches no candidate for p={F(s.Rate)} but is what a keep factor for p={F(rate)} gives"
                : $", which matches no candidate for p={F(s.Rate)} (1, 1/keep = {F(1 / s.Keep)}, keep = {F(s.Keep)}, p/keep = {F(s.Rate / s.Keep)})",
        };
        string fix = FixFor(site, correction);
        findings.Add(cls.Rule,
            $"{measured} {scale:0.00}x the reference{meaning}; {expectation}: {fix}",
            s.Location, s.Id, fix: $"{fix}, or run: {findings.FixCommand}",
            estimatedScale: scale, explainingRate: cls.Rule == RuleCatalog.OutputMismatch ? cls.ExplainingRate : null, messageHasFix: true);
    }

    private static string FixFor(ResolvedSite site, double correction)
    {
        var extra = site.Compensation.FirstOrDefault(c => Math.Abs(c.Factor * correction - 1.0) < 0.02);
        if (extra is not null)
        {
            return $"remove node '{extra.Node.Name}' (it multiplies by {F(extra.Factor)})";
        }

        return site.WeightName is not null
            ? $"multiply initializer '{site.WeightName}' by {F(correction)}"
            : $"insert Mul({F(correction)}) after tensor '{site.DataInput}'";
    }

    private void AddPlacementNote(ResolvedSite site)
    {
        if (spec.Convention != DropoutConvention.Standard)
        {
            return;
        }

        bool nodeVisible = Math.Abs(site.GraphFactor - site.Spec.Keep) < 1e-3;
        if (spec.Compensation == CompensationPlace.Node && !nodeVisible)
        {
            notes.Add(new ReportNote($"the scale at site '{site.Spec.Id}' is right, but no compensating node is visible (`compensation: node`): the keep factor appears to be folded into the weights", site.Spec.Id));
        }
        else if (spec.Compensation == CompensationPlace.Weights && nodeVisible)
        {
            notes.Add(new ReportNote($"the scale at site '{site.Spec.Id}' is right, but the keep factor sits in node '{site.Compensation[0].Node.Name}', not in the weights (`compensation: weights`)", site.Spec.Id));
        }
    }
}
