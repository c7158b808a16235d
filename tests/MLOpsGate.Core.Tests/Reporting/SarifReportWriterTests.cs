using System.Diagnostics;
using System.Text.Json;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using MLOpsGate.Core.Tests.Fixtures;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Core.Tests.Reporting;

/// <summary>The SARIF report of the real fixtures: valid for Microsoft's SARIF multitool, one rule per MLG id, one result per finding.</summary>
[Collection(FixtureCollection.Name)]
public sealed class SarifReportWriterTests(FixtureGateRun run) : IDisposable
{
    private readonly TempWorkspace output = new(withGitDirectory: false);

    public void Dispose() => output.Dispose();

    private static JsonElement Run(JsonDocument sarif) => Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());

    [RequiresNodeToolFact("sarif-multitool")]
    [Trait("Requires", "node")]
    public void TheFixtureReportIsValidForTheSarifMultitool()
    {
        var multitool = NodeTools.Require("sarif-multitool");
        var sarif = output.PathOf("fixtures.sarif");
        SarifReportWriter.Write(run.Result.Report, sarif);
        var validation = output.PathOf("validation.sarif");

        var start = new ProcessStartInfo(multitool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "validate", sarif, "--output", validation })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the SARIF multitool did not finish in 3 minutes");
        var console = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"sarif-multitool validate exited with {process.ExitCode}:\n{console}");
        Assert.DoesNotMatch(@"(?m):\s*error\b", console);

        using var log = JsonDocument.Parse(File.ReadAllText(validation));
        var errors = log.RootElement.GetProperty("runs").EnumerateArray()
            .SelectMany(r => r.TryGetProperty("results", out var results) ? results.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(r => r.TryGetProperty("level", out var level) && level.GetString() == "error")
            .Select(r => $"{r.GetProperty("ruleId").GetString()}: {r.GetProperty("message")}")
            .ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void OneRulePerMlgIdWithTheCatalogueText()
    {
        using var sarif = JsonDocument.Parse(SarifReportWriter.Serialize(run.Result.Report));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", sarif.RootElement.GetProperty("$schema").GetString());
        var driver = Run(sarif).GetProperty("tool").GetProperty("driver");
        Assert.Equal("mlopsgate", driver.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(driver.GetProperty("version").GetString()));
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(17, rules.Count);
        Assert.Equal(RuleCatalog.All.Select(r => r.Id), rules.Select(r => r.GetProperty("id").GetString()));
        foreach (var (rule, descriptor) in RuleCatalog.All.Zip(rules))
        {
            Assert.Equal(rule.Title, descriptor.GetProperty("shortDescription").GetProperty("text").GetString());
            Assert.Equal(rule.Description, descriptor.GetProperty("fullDescription").GetProperty("text").GetString());
            Assert.Equal(rule.HelpUri, descriptor.GetProperty("helpUri").GetString());
            Assert.Equal(SarifReportWriter.Level(rule.DefaultSeverity), descriptor.GetProperty("defaultConfiguration").GetProperty("level").GetString());
            var help = descriptor.GetProperty("help");
            foreach (var part in new[] { rule.WhyItMatters, rule.Example, rule.HowToFix })
            {
                Assert.Contains(part, help.GetProperty("text").GetString(), StringComparison.Ordinal);
                Assert.Contains(part, help.GetProperty("markdown").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal("MissingDropoutScaling", rules[2].GetProperty("name").GetString());
    }

    [Fact]
    public void OneResultPerFindingAtItsManifestKeyWithItsLevel()
    {
        var report = run.Result.Report;
        using var sarif = JsonDocument.Parse(SarifReportWriter.Serialize(report));
        var sarifRun = Run(sarif);
        var results = sarifRun.GetProperty("results").EnumerateArray().ToList();
        var findings = report.Models.SelectMany(m => m.Findings.Select(f => (Model: m, Finding: f))).ToList();
        Assert.True(findings.Count > 5, "the fixtures are expected to give findings");
        Assert.Equal(findings.Count, results.Count);
        Assert.Contains(findings, f => f.Finding.Severity == Severity.Warning);

        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ((model, finding), result) in findings.Zip(results))
        {
            Assert.Equal(finding.Rule, result.GetProperty("ruleId").GetString());
            var index = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(finding.Rule, RuleCatalog.All[index].Id);
            var expectedLevel = finding.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" };
            Assert.Equal(expectedLevel, result.GetProperty("level").GetString());
            Assert.StartsWith(finding.Message.TrimEnd('.'), result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);

            var physical = Assert.Single(result.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");
            var artifact = physical.GetProperty("artifactLocation");
            Assert.Equal(finding.Location.File, artifact.GetProperty("uri").GetString());
            Assert.Equal("%SRCROOT%", artifact.GetProperty("uriBaseId").GetString());
            Assert.Equal(finding.Location.Line, physical.GetProperty("region").GetProperty("startLine").GetInt32());
            Assert.Equal(finding.Location.Column, physical.GetProperty("region").GetProperty("startColumn").GetInt32());

            var properties = result.GetProperty("properties");
            Assert.Equal(model.Name, properties.GetProperty("model").GetString());
            Assert.Equal(finding.Site, properties.TryGetProperty("site", out var site) ? site.GetString() : null);
            if (finding.EstimatedScale is { } scale)
            {
                Assert.Equal(scale, properties.GetProperty("estimatedScale").GetDouble(), 9);
            }

            Assert.True(fingerprints.Add(result.GetProperty("partialFingerprints").GetProperty(SarifReportWriter.FingerprintKey).GetString()!));
        }

        Assert.Equal("mlopsgate/fixtures/mlopsgate.yml/", sarifRun.GetProperty("automationDetails").GetProperty("id").GetString());
    }

    [Fact]
    public void OutputIsDeterministicAndFingerprintsDoNotDependOnLines()
    {
        var report = run.Result.Report;
        Assert.Equal(SarifReportWriter.Serialize(report), SarifReportWriter.Serialize(report));

        var moved = report with
        {
            Models = [.. report.Models.Select(m => m with { Findings = [.. m.Findings.Select(f => f with { Location = f.Location with { Line = f.Location.Line + 3 } })] })],
        };
        Assert.Equal(Fingerprints(report), Fingerprints(moved));
    }

    private static List<string> Fingerprints(GateReport report)
    {
        using var sarif = JsonDocument.Parse(SarifReportWriter.Serialize(report));
        return [.. Run(sarif).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("partialFingerprints").GetProperty(SarifReportWriter.FingerprintKey).GetString()!)];
    }
}

/// <summary>SARIF details that the fixtures do not exercise: manifest problems, notes, hostile names.</summary>
public sealed class SarifReportWriterSyntheticTests
{
    [Fact]
    public void ManifestProblemsBecomeErrorResults()
    {
        using var sarif = JsonDocument.Parse(SarifReportWriter.Serialize(SyntheticReports.InvalidManifest()));
        var run = Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal("MLG001", r.GetProperty("ruleId").GetString());
            Assert.Equal(0, r.GetProperty("ruleIndex").GetInt32());
            Assert.Equal("error", r.GetProperty("level").GetString());
        });
        var region = results[1].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(10, region.GetProperty("startLine").GetInt32());
        Assert.Equal(11, region.GetProperty("startColumn").GetInt32());
        Assert.False(run.GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
    }

    [Fact]
    public void LevelsFollowTheEffectiveSeverityAndNamesSurviveVerbatim()
    {
        var report = SyntheticReports.Hostile();
        using var sarif = JsonDocument.Parse(SarifReportWriter.Serialize(report));
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["warning", "error", "note"], results.Select(r => r.GetProperty("level").GetString()));
        Assert.Equal(SyntheticReports.HostileModel, results[1].GetProperty("properties").GetProperty("model").GetString());
        Assert.Equal(SyntheticReports.HostileSite, results[1].GetProperty("properties").GetProperty("site").GetString());
        Assert.DoesNotContain("\n", results[1].GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("MLG014", results[0].GetProperty("ruleId").GetString());
        Assert.Equal(13, results[0].GetProperty("ruleIndex").GetInt32());
    }
}
