using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Analysis;

public sealed class ScaleClassifierTests
{
    private static SiteSpec Site(double rate) => new(SiteKind.InputOf, "w", new SourceLocation(1, 1), rate, false);

    [Theory]
    [InlineData(0.5, 2.0, "MLG003")]
    [InlineData(0.5, 1.9, "MLG003")]
    [InlineData(0.5, 0.5, "MLG004")]
    [InlineData(0.5, 1.0, null)]
    [InlineData(0.2, 1.25, "MLG003")]
    [InlineData(0.2, 0.8, "MLG004")]
    [InlineData(0.2, 0.25, "MLG013")]
    [InlineData(0.3, 1.0 / 0.7, "MLG003")]
    public void NearestCandidateInLogSpaceDecides(double rate, double scale, string? rule)
    {
        var result = ScaleClassifier.Classify(scale, Site(rate), DropoutConvention.Standard);
        Assert.Equal(rule, result.Rule?.Id);
    }

    [Fact]
    public void AScaleBeyondTenPercentOfEveryCandidateIsAnOutputMismatch()
    {
        var result = ScaleClassifier.Classify(1.5, Site(0.5), DropoutConvention.Standard);
        Assert.Equal("MLG007", result.Rule?.Id);
    }

    [Fact]
    public void AcceptanceIsCappedAtHalfTheDistanceToTheNextCandidate()
    {
        // p = 0.05: 1/keep = 1.0526 lies 5.1% from 1, so 1.03 is past half-way and belongs to 1/keep.
        Assert.Equal("MLG003", ScaleClassifier.Classify(1.03, Site(0.05), DropoutConvention.Standard).Rule?.Id);
        Assert.Null(ScaleClassifier.Classify(1.02, Site(0.05), DropoutConvention.Standard).Rule);
    }

    [Fact]
    public void ScalingForPointFiveAtADeclaredPointTwoSiteIsExplainedByThatRate()
    {
        var result = ScaleClassifier.Classify(0.625, Site(0.2), DropoutConvention.Standard);
        Assert.Equal("MLG007", result.Rule?.Id);
        Assert.Equal(0.5, result.ExplainingRate);
    }

    [Fact]
    public void AtPointFiveASwapCannotBeToldApart()
    {
        var result = ScaleClassifier.Classify(1.0, Site(0.5), DropoutConvention.Standard);
        Assert.True(result.SwapUndetectable);
        Assert.False(ScaleClassifier.Classify(1.0, Site(0.2), DropoutConvention.Standard).SwapUndetectable);
    }
}
