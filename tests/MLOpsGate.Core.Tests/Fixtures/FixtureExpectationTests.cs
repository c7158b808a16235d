using System.Text.Json;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Core.Tests.Fixtures;

/// <summary>Every bundled fixture gets the verdict, rules, site statuses and scales its generator built it to give.</summary>
[Collection(FixtureCollection.Name)]
public sealed class FixtureExpectationTests(FixtureGateRun run)
{
    public static TheoryData<string> ModelNames()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("fixtures/expected.json")));
        var data = new TheoryData<string>();
        foreach (var model in expected.RootElement.GetProperty("models").EnumerateObject())
        {
            data.Add(model.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void VerdictAndRulesMatchHowTheFixtureWasBuilt(string name)
    {
        var expected = run.ExpectedModel(name);
        var actual = run.Model(name);
        var detail = string.Join("\n", actual.Findings.Select(f => $"{f.Rule} {f.Site}: {f.Message}"));
        Assert.True(expected.GetProperty("verdict").GetString() == actual.Verdict.ToString().ToLowerInvariant(), $"{name}: verdict {actual.Verdict}\n{detail}");
        var expectedRules = expected.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).Order().ToList();
        Assert.Equal(expectedRules, actual.Findings.Select(f => f.Rule).Distinct().Order().ToList());
        foreach (var finding in expected.GetProperty("findings").EnumerateArray())
        {
            var rule = finding.GetProperty("rule").GetString();
            var site = finding.TryGetProperty("site", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var match = actual.Findings.Where(f => f.Rule == rule && (site is null || f.Site == site)).ToList();
            Assert.True(match.Count > 0, $"{name}: no {rule} at site {site}\n{detail}");
            Assert.Equal(finding.GetProperty("severity").GetString(), match[0].Severity.ToString().ToLowerInvariant());
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EverySiteHasItsStatusEvidenceAndScale(string name)
    {
        var expected = run.ExpectedModel(name);
        var actual = run.Model(name);
        double tolerance = 0.02;
        foreach (var site in expected.GetProperty("sites").EnumerateObject())
        {
            var report = actual.Sites.Single(s => s.Id == site.Name);
            Assert.Equal(site.Value.GetProperty("status").GetString(), ReportText(report.Status));
            if (site.Value.TryGetProperty("evidence", out var evidence) && evidence.ValueKind == JsonValueKind.String)
            {
                Assert.Equal(evidence.GetString(), report.Evidence?.ToString().ToLowerInvariant());
            }

            if (site.Value.TryGetProperty("scale", out var scale) && scale.ValueKind == JsonValueKind.Number)
            {
                Assert.NotNull(report.EstimatedScale);
                Assert.InRange(report.EstimatedScale!.Value, scale.GetDouble() * (1 - tolerance), scale.GetDouble() * (1 + tolerance));
            }
            else
            {
                Assert.Null(report.EstimatedScale);
            }
        }
    }

    private static string ReportText(SiteStatus status) => status == SiteStatus.NotFound ? "not-found" : status.ToString().ToLowerInvariant();
}
