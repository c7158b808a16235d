using System.Text.Json;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Cli.Tests;

/// <summary>`check --report-sarif` and `--report-markdown` write their files, also when the gate cannot run.</summary>
public sealed class ReportOptionTests : IDisposable
{
    private readonly TempWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Fact]
    public void AFailingRunWritesSarifAndMarkdown()
    {
        var sarif = workspace.PathOf("out/report.sarif");
        var markdown = workspace.PathOf("out/summary.md");
        var result = CliRun.Run("check", "--manifest", RepositoryRoot.Combine("fixtures/mlopsgate.yml"), "--model", "digits-standard-naive",
            "--report-sarif", sarif, "--report-markdown", markdown);
        Assert.Equal(1, result.ExitCode);

        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        var results = log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "MLG003" && r.GetProperty("level").GetString() == "error");
        Assert.All(results, r => Assert.Equal("fixtures/mlopsgate.yml", r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()));

        var text = File.ReadAllText(markdown);
        Assert.StartsWith("## ❌ MLOpsGate: failed", text, StringComparison.Ordinal);
        Assert.Contains("digits-standard-naive", text, StringComparison.Ordinal);
        Assert.Contains("MLG003 missing-dropout-scaling", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidManifestStillWritesBothReports()
    {
        var manifest = workspace.Write("mlopsgate.yml", "version: 1\nmodels:\n  - name: m\n    artefact: models/m.onnx\n");
        var sarif = workspace.PathOf("report.sarif");
        var markdown = workspace.PathOf("summary.md");
        var result = CliRun.Run("check", "--manifest", manifest, "--report-sarif", sarif, "--report-markdown", markdown);
        Assert.Equal(2, result.ExitCode);

        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        var results = log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal("MLG001", r.GetProperty("ruleId").GetString()));
        Assert.Contains(results, r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32() == 4);

        var text = File.ReadAllText(markdown);
        Assert.StartsWith("## ⚠️ MLOpsGate: error", text, StringComparison.Ordinal);
        Assert.Contains("artefact", text, StringComparison.Ordinal);
    }
}
