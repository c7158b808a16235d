using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Analysis;

/// <summary>What a measured site scale means for the declared rate.</summary>
/// <param name="Rule">Null when the scale is right (1).</param>
/// <param name="CandidateScale">The candidate the scale was matched to (null when none matched).</param>
/// <param name="ExplainingRate">For an unmatched scale: a drop rate whose keep factor explains it.</param>
/// <param name="SwapUndetectable">p = 0.5: a keep/drop swap gives scale 1 and cannot be told apart.</param>
public sealed record ScaleClass(RuleDescriptor? Rule, double? CandidateScale, double? ExplainingRate, bool SwapUndetectable)
{
    public bool IsOk => Rule is null;
}

/// <summary>
/// Classifies a scale by the nearest candidate in log space among 1, 1/keep, keep and p/keep, accepted
/// only within min(10%, half the log-distance to the next candidate); otherwise MLG007.
/// </summary>
public static class ScaleClassifier
{
    private static readonly double MaxLogDistance = Math.Log(1.10);

    public static ScaleClass Classify(double scale, SiteSpec site, DropoutConvention convention)
    {
        double p = site.Rate, keep = site.Keep;
        var candidates = new List<(double Scale, RuleDescriptor? Rule)>
        {
            (1.0, null),
            (1.0 / keep, RuleCatalog.MissingDropoutScaling),
            (keep, RuleCatalog.DoubleDropoutScaling),
            (p / keep, RuleCatalog.KeepRateSwapped),
        };
        bool swapUndetectable = Math.Abs(Math.Log(p / keep)) < 1e-9;
        if (swapUndetectable)
        {
            candidates.RemoveAt(3);
        }

        if (!double.IsFinite(scale) || scale <= 0)
        {
            return new ScaleClass(RuleCatalog.OutputMismatch, null, null, swapUndetectable);
        }

        double logScale = Math.Log(scale);
        var ordered = candidates.OrderBy(c => Math.Abs(logScale - Math.Log(c.Scale))).ToList();
        var best = ordered[0];
        double distance = Math.Abs(logScale - Math.Log(best.Scale));
        double toNext = ordered.Skip(1)
            .Select(c => Math.Abs(Math.Log(c.Scale) - Math.Log(best.Scale)))
            .Where(d => d > 1e-12)
            .DefaultIfEmpty(double.PositiveInfinity)
            .Min();
        if (distance <= Math.Min(MaxLogDistance, toNext / 2))
        {
            return new ScaleClass(best.Rule, best.Scale, null, swapUndetectable);
        }

        return new ScaleClass(RuleCatalog.OutputMismatch, null, ExplainingRate(scale, keep, convention), swapUndetectable);
    }

    /// <summary>
    /// The drop rate r whose keep factor (1 - r) the export actually applied, when that is a plausible
    /// rate: the applied factor is scale × (keep for standard, 1 for inverted).
    /// </summary>
    private static double? ExplainingRate(double scale, double keep, DropoutConvention convention)
    {
        double applied = scale * (convention == DropoutConvention.Standard ? keep : 1.0);
        double rate = Math.Round(1.0 - applied, 2);
        if (rate <= 0 || rate >= 1)
        {
            return null;
        }

        return Math.Abs((1.0 - rate) / applied - 1.0) <= 0.02 ? rate : null;
    }
}
