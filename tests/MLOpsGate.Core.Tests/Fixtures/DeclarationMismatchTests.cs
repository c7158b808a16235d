using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Tests.Fixtures;

/// <summary>A manifest that contradicts the real model: wrong rate, misspelt site, wrong framework.</summary>
[Collection(FixtureCollection.Name)]
public sealed class DeclarationMismatchTests(FixtureGateRun run)
{
    private ModelSpec Spec(string name) => run.Manifest.Models.Single(m => m.Name == name);

    [Fact]
    public void RateDifferentFromTheGraphsDropoutRatioIsMLG006AtTheSite()
    {
        var spec = Spec("digits-train-mode");
        var site = spec.Sites[0] with { Rate = 0.3 };
        var report = new ModelCheck(run.Manifest, spec with { Sites = [site] }, FailOn.Error).Run();
        var finding = report.Findings.Single(f => f.Rule == "MLG006");
        Assert.Contains("ratio 0.5", finding.Message, StringComparison.Ordinal);
        Assert.Contains("rate 0.3", finding.Message, StringComparison.Ordinal);
        Assert.Equal((site.Location.Line, site.Location.Column), (finding.Location.Line, finding.Location.Column));
        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void MisspeltSiteIsMLG011WithTheNearestName()
    {
        var spec = Spec("digits-standard-naive");
        var site = spec.Sites[0] with { Id = "fc2.weights" };
        var report = new ModelCheck(run.Manifest, spec with { Sites = [site] }, FailOn.Error).Run();
        var finding = report.Findings.Single(f => f.Rule == "MLG011");
        Assert.Contains("did you mean 'fc2.weight'", finding.Message, StringComparison.Ordinal);
        Assert.Equal(SiteStatus.NotFound, report.Sites.Single().Status);
        Assert.Equal(Verdict.Fail, report.Verdict);
    }

    [Fact]
    public void MissingTensorSiteSuggestsTheClosestTensor()
    {
        var spec = Spec("seq-linear3d");
        var site = spec.Sites[0] with { Id = "/act1/Relu_output_1" };
        var report = new ModelCheck(run.Manifest, spec with { Sites = [site] }, FailOn.Error).Run();
        Assert.Contains("'/act1/Relu_output_0'", report.Findings.Single(f => f.Rule == "MLG011").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProducerContradictingTheFrameworkIsMLG012AtTheFrameworkKey()
    {
        var spec = Spec("digits-inverted-ok");
        var report = new ModelCheck(run.Manifest, spec with { Framework = Framework.Keras }, FailOn.Error).Run();
        var finding = report.Findings.Single(f => f.Rule == "MLG012");
        Assert.Contains("'pytorch'", finding.Message, StringComparison.Ordinal);
        Assert.Equal(spec.FrameworkLocation.Line, finding.Location.Line);
        Assert.Equal(Verdict.Pass, report.Verdict);
    }

    [Fact]
    public void ModelSeverityWarningTurnsAScalingFaultIntoAWarning()
    {
        var spec = Spec("digits-standard-naive");
        var report = new ModelCheck(run.Manifest, spec with { Severity = GateSeverity.Warning }, FailOn.Error).Run();
        var finding = report.Findings.Single(f => f.Rule == "MLG003");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(Severity.Error, finding.DefaultSeverity);
        Assert.Equal(Verdict.Pass, report.Verdict);
        Assert.Equal(Verdict.Fail, new ModelCheck(run.Manifest, spec with { Severity = GateSeverity.Warning }, FailOn.Warning).Run().Verdict);
    }
}
