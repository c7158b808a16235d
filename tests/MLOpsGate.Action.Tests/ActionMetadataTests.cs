using MLOpsGate.Core.Tests.Reporting;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Action.Tests;

/// <summary>action.yml and the project's workflow, validated offline with @action-validator/cli (GitHub's schemas from SchemaStore).</summary>
public sealed class ActionMetadataTests
{
    [RequiresNodeToolFact("action-validator")]
    [Trait("Requires", "node")]
    public async Task ActionYmlIsAValidDockerAction()
    {
        var result = ChildProcess.Run(NodeTools.Require("action-validator"), [RepositoryRoot.Combine("action.yml")], RepositoryRoot.Path, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [RequiresNodeToolFact("action-validator")]
    [Trait("Requires", "node")]
    public async Task TheWorkflowsAreValid()
    {
        var workflows = Directory.GetFiles(RepositoryRoot.Combine(".github/workflows"), "*.yml");
        Assert.NotEmpty(workflows);
        foreach (var workflow in workflows)
        {
            var result = ChildProcess.Run(NodeTools.Require("action-validator"), [workflow], RepositoryRoot.Path, TimeSpan.FromMinutes(2));
            Assert.True(result.ExitCode == 0, $"{workflow}: {result}");
        }
    }

    [RequiresNodeToolFact("action-validator")]
    [Trait("Requires", "node")]
    public async Task TheValidatorRejectsABrokenAction()
    {
        using var scratch = new TempWorkspace(withGitDirectory: false);
        var broken = scratch.Write("action.yml", File.ReadAllText(RepositoryRoot.Combine("action.yml")).Replace("using: docker", "using: dockerr", StringComparison.Ordinal));
        var result = ChildProcess.Run(NodeTools.Require("action-validator"), [broken], scratch.Root, TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void ActionYmlDeclaresTheSpecifiedInputsAndOutputs()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("action.yml"));
        foreach (var input in new[] { "manifest", "github-token", "fail-on", "annotate", "comment", "sarif" })
        {
            Assert.Contains($"\n  {input}:\n", text, StringComparison.Ordinal);
        }

        foreach (var output in new[] { "verdict", "errors", "warnings", "report" })
        {
            Assert.Contains($"\n  {output}:\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("default: ${{ github.token }}", text, StringComparison.Ordinal);
        Assert.Contains("\n  using: docker\n  image: Dockerfile\n", text, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/app/mlopsgate-action\"]", File.ReadAllText(RepositoryRoot.Combine("Dockerfile")), StringComparison.Ordinal);
        Assert.Contains("\n  entrypoint: /app/mlopsgate-action\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDockerfileDefaultsAreTheProductionImages()
    {
        var dockerfile = File.ReadAllLines(RepositoryRoot.Combine("Dockerfile"));
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", dockerfile);
        Assert.Contains("ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0", dockerfile);
        Assert.Contains("ARG APP_STAGE=source", dockerfile);
    }
}
