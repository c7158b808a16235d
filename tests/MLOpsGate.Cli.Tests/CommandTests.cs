using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using MLOpsGate.Core.Rules;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Cli.Tests;

public sealed class CommandTests : IDisposable
{
    private readonly TempWorkspace output = new(withGitDirectory: false);

    public void Dispose() => output.Dispose();

    [Fact]
    public void DemoOnTheBundledFixturesFailsWithExitOneAndAValidReport()
    {
        var json = output.PathOf("report.json");
        var result = CliRun.Run("check", "--manifest", RepositoryRoot.Combine("fixtures/mlopsgate.yml"), "--report-json", json, "--model", "digits-inverted-ok", "--model", "digits-standard-naive");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("digits-inverted-ok: pass", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("digits-standard-naive: fail", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(result.Diagnostics, d => d.Contains(": error MLG003: ", StringComparison.Ordinal) && d.Contains("2.00x", StringComparison.Ordinal));

        var schema = JsonSchema.FromText(File.ReadAllText(RepositoryRoot.Combine("schema/report.schema.json")));
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var evaluation = schema.Evaluate(report.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(evaluation.IsValid, string.Join("\n", (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        Assert.Equal("fixtures/mlopsgate.yml", report.RootElement.GetProperty("manifest").GetString());
        var skipped = report.RootElement.GetProperty("models").EnumerateArray().Count(m => m.GetProperty("verdict").GetString() == "skipped");
        Assert.True(skipped > 10);
    }

    [Theory]
    [InlineData("never", 0)]
    [InlineData("error", 0)]
    [InlineData("warning", 1)]
    public void FailOnDecidesWhetherWarningsFailTheGate(string failOn, int exitCode)
    {
        // field3-legacy-no-is-test has exactly one warning (MLG014) and no error.
        var result = CliRun.Run("check", "--manifest", RepositoryRoot.Combine("fixtures/mlopsgate.yml"), "--model", "field3-legacy-no-is-test", "--fail-on", failOn);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => d.Contains(": warning MLG014: ", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownModelIsExitTwoNamingTheModels()
    {
        var result = CliRun.Run("check", "--manifest", RepositoryRoot.Combine("fixtures/mlopsgate.yml"), "--model", "no-such-model");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no model named 'no-such-model'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingManifestIsExitTwo()
    {
        var result = CliRun.Run("check", "--manifest", output.PathOf("absent.yml"));
        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"absent\.yml\(1,1\): error MLG001: ", Assert.Single(result.Diagnostics));
    }

    [Fact]
    public void BadArgumentIsExitTwo()
    {
        var result = CliRun.Run("check", "--fail-on", "sometimes");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sometimes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainCoversEveryRuleOfTheCatalogue()
    {
        var list = CliRun.Run("explain");
        Assert.Equal(0, list.ExitCode);
        for (int i = 1; i <= 17; i++)
        {
            var id = $"MLG{i:000}";
            Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
            var one = CliRun.Run("explain", id);
            Assert.Equal(0, one.ExitCode);
            Assert.Contains("How to fix: ", one.Stdout, StringComparison.Ordinal);
            Assert.Contains(RuleCatalog.Find(id)!.Kind, one.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(2, CliRun.Run("explain", "MLG999").ExitCode);
    }

    [Fact]
    public void SchemaCommandPrintsTheCommittedManifestSchema()
    {
        var result = CliRun.Run("schema");
        Assert.Equal(0, result.ExitCode);
        var printed = JsonNode.Parse(result.Stdout)!;
        var committed = JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine("schema/mlopsgate.schema.json")))!;
        Assert.True(JsonNode.DeepEquals(printed, committed));
    }
}
