using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Core.Tests.Fixtures;

/// <summary>The details a user acts on: the site, the factor, the fix, and where in the manifest it points.</summary>
[Collection(FixtureCollection.Name)]
public sealed class DiagnosisDetailTests(FixtureGateRun run)
{
    [Fact]
    public void NaiveStandardExportIsMissingScalingAtTwoPointZeroWithTheExactFix()
    {
        var finding = run.Model("digits-standard-naive").Findings.Single(f => f.Rule == "MLG003");
        Assert.Equal("fc2.weight", finding.Site);
        Assert.InRange(finding.EstimatedScale!.Value, 1.96, 2.04);
        Assert.Contains("multiply initializer 'fc2.weight' by 0.5", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("standard dropout p=0.5 needs keep = 0.5", finding.Message, StringComparison.Ordinal);
        var (line, column) = run.KeyPosition("digits-standard-naive", "input_of", "fc2.weight");
        Assert.Equal((line, column), (finding.Location.Line, finding.Location.Column));
        Assert.Equal("fixtures/mlopsgate.yml", finding.Location.File);
    }

    [Theory]
    [InlineData("digits-standard-naive-activations-only", "activations")]
    [InlineData("digits-standard-naive-outputs-only", "outputs")]
    [InlineData("digits-standard-naive-checkpoint-only", "checkpoint")]
    public void EveryKindOfEvidenceNamesTheSameSiteAndFactor(string model, string evidence)
    {
        var report = run.Model(model);
        var site = Assert.Single(report.Sites);
        Assert.Equal(evidence, site.Evidence.ToString()!.ToLowerInvariant());
        Assert.InRange(site.EstimatedScale!.Value, 1.96, 2.04);
        Assert.Equal("MLG003", Assert.Single(report.Findings, f => f.Rule != "MLG010").Rule);
    }

    [Fact]
    public void TwoFaultySitesEachGetTheirOwnFactorNotTheCompoundedOne()
    {
        var report = run.Model("wine-two-sites-naive");
        var scales = report.Findings.Where(f => f.Rule == "MLG003").ToDictionary(f => f.Site!, f => f.EstimatedScale!.Value);
        Assert.InRange(scales["fc2.weight"], 1.25 * 0.98, 1.25 * 1.02);
        Assert.InRange(scales["fc3.weight"], 2.0 * 0.98, 2.0 * 1.02);
    }

    [Fact]
    public void ConvolutionSiteIsMeasuredPerChannel()
    {
        var finding = run.Model("digits-cnn").Findings.Single(f => f.Rule == "MLG003");
        Assert.InRange(finding.EstimatedScale!.Value, (1 / 0.7) * 0.98, (1 / 0.7) * 1.02);
        Assert.Contains("by 0.7", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongRateCompensationNamesTheRateThatExplainsIt()
    {
        var finding = run.Model("wrong-rate-p02").Findings.Single(f => f.Rule == "MLG007");
        Assert.InRange(finding.EstimatedScale!.Value, 0.625 * 0.98, 0.625 * 1.02);
        Assert.Equal(0.5, finding.ExplainingRate);
    }

    [Fact]
    public void KeepDropSwapAtPointTwoIsPOverKeep()
    {
        var finding = run.Model("swap-p02").Findings.Single(f => f.Rule == "MLG013");
        Assert.InRange(finding.EstimatedScale!.Value, 0.245, 0.255);
    }

    [Fact]
    public void KeepDropSwapAtPointFiveIsReportedAsUndetectable()
    {
        var report = run.Model("swap-p05");
        Assert.Equal(Verdict.Pass, report.Verdict);
        Assert.Contains(report.Notes, n => n.Message.Contains("cannot be detected at p = 0.5", StringComparison.Ordinal));
    }

    [Fact]
    public void FoldedMatMulWeightIsMatchedToTheCheckpointByTransposedShape()
    {
        var report = run.Model("seq-linear3d");
        Assert.Contains(report.Notes, n => n.Message.Contains("by shape (transposed)", StringComparison.Ordinal));
        var finding = report.Findings.Single(f => f.Rule == "MLG003");
        Assert.StartsWith("multiply initializer 'onnx::MatMul_", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void FixedBatchModelRunsInBatchesOfOneWithANote()
    {
        var report = run.Model("digits-fixed-batch");
        Assert.Equal(Verdict.Pass, report.Verdict);
        Assert.Contains(report.Notes, n => n.Message.Contains("fixed at 1", StringComparison.Ordinal));
        Assert.Equal(report.Metrics!.Samples, run.Model("digits-inverted-ok").Metrics!.Samples);
    }

    [Fact]
    public void TrainingModeExportIsCaughtStaticallyAndByTheOptimizerComparison()
    {
        var report = run.Model("field1-train-mode-optimized-away");
        Assert.Contains(report.Findings, f => f.Rule == "MLG005");
        var mlg015 = report.Findings.Single(f => f.Rule == "MLG015");
        Assert.Equal(run.KeyPosition("field1-train-mode-optimized-away", "name").Line, mlg015.Location.Line);
        Assert.DoesNotContain(report.Findings, f => f.Rule == "MLG007");
    }

    [Fact]
    public void OutputMetricsAreMeasuredButNeverPassABrokenModel()
    {
        var report = run.Model("digits-standard-naive");
        Assert.Equal(Verdict.Fail, report.Verdict);
        Assert.NotNull(report.Metrics);
        Assert.True(report.Metrics!.MaxAbsError > 0.1);
        Assert.Equal(run.Model("digits-inverted-ok").Metrics!.Samples, report.Metrics.Samples);
    }

    [Fact]
    public void FilesReadListEveryFileTheManifestNames()
    {
        var files = run.Result.FilesRead;
        Assert.Contains(run.Manifest.FullPath, files);
        foreach (var model in run.Manifest.Models)
        {
            Assert.Contains(model.Artifact.FullPath, files);
            if (model.Calibration is not null && model.Expect.Outputs is not null)
            {
                Assert.Contains(model.Expect.Outputs.FullPath, files);
            }
        }
    }
}
