using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Core.Tests.Fixtures;

/// <summary>
/// Users rarely have every kind of evidence: for every fixture with a measured site fault, reference
/// outputs alone (counterfactual repair) and the checkpoint alone (no model run) must name the same
/// site, rule and factor as the full evidence does.
/// </summary>
[Collection(FixtureCollection.Name)]
public sealed class PartialEvidenceTests(FixtureGateRun run)
{
    public static TheoryData<string> OutputsCases() => Cases(m =>
        m.Calibration is not null && m.Expect.Outputs is not null && !m.Sites.Any(s => s.ActiveAtInference));

    public static TheoryData<string> CheckpointCases() => Cases(m => m.Expect.Checkpoint is not null);

    [Theory]
    [MemberData(nameof(OutputsCases))]
    public void OutputsAloneNameTheSameSitesAndFactors(string name)
    {
        var spec = run.Manifest.Models.Single(m => m.Name == name);
        var partial = spec with { Expect = spec.Expect with { Activations = null, Checkpoint = null } };
        AssertSameSiteDiagnoses(name, partial, EvidenceKind.Outputs);
    }

    [Theory]
    [MemberData(nameof(CheckpointCases))]
    public void CheckpointAloneNamesTheSameSitesAndFactorsWithoutRunningTheModel(string name)
    {
        var spec = run.Manifest.Models.Single(m => m.Name == name);
        var partial = spec with { Calibration = null, Expect = spec.Expect with { Outputs = null, Activations = null } };
        AssertSameSiteDiagnoses(name, partial, EvidenceKind.Checkpoint);
    }

    /// <summary>Fixture models with full evidence and a measured site (the evidence variants are entries of their own).</summary>
    private static TheoryData<string> Cases(Func<ModelSpec, bool> hasEvidence)
    {
        var manifest = ManifestLoader.Load(RepositoryRoot.Combine("fixtures/mlopsgate.yml")).Manifest!;
        var data = new TheoryData<string>();
        foreach (var model in manifest.Models.Where(m => m.Sites.Count > 0 && m.Expect.Activations is not null && hasEvidence(m)))
        {
            data.Add(model.Name);
        }

        return data;
    }

    private void AssertSameSiteDiagnoses(string name, ModelSpec partial, EvidenceKind evidence)
    {
        var full = run.Model(name);
        var report = new ModelCheck(run.Manifest, partial, FailOn.Error).Run();
        Assert.Contains(full.Sites, s => s.EstimatedScale is not null);
        foreach (var site in full.Sites.Where(s => s.EstimatedScale is not null))
        {
            var fullFinding = full.Findings.FirstOrDefault(f => f.Site == site.Id && f.EstimatedScale is not null);
            var other = report.Sites.Single(s => s.Id == site.Id);
            Assert.Equal(evidence, other.Evidence);
            Assert.InRange(other.EstimatedScale!.Value, site.EstimatedScale!.Value * 0.98, site.EstimatedScale.Value * 1.02);
            var otherFinding = report.Findings.FirstOrDefault(f => f.Site == site.Id && f.EstimatedScale is not null);
            Assert.Equal(fullFinding?.Rule, otherFinding?.Rule);
            Assert.Equal(fullFinding?.ExplainingRate, otherFinding?.ExplainingRate);
        }
    }
}
