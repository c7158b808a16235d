using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

internal static class ManifestTestSupport
{
    /// <summary>A minimal valid model entry, for tests that vary one thing.</summary>
    public const string MinimalModel = """
          - name: m
            artifact: model.onnx
            framework: pytorch
            dropout:
              convention: inverted
        """;

    /// <summary>Parses <paramref name="yaml"/> as if it were `mlopsgate.yml` at the root of <paramref name="workspace"/>.</summary>
    public static ManifestLoadResult Parse(string yaml, TempWorkspace workspace) =>
        ManifestLoader.Parse(yaml, "mlopsgate.yml", workspace.PathOf("mlopsgate.yml"), workspace.Root);

    /// <summary>Asserts that a problem at (line, column) contains <paramref name="fragment"/>.</summary>
    public static ManifestProblem AssertProblem(ManifestLoadResult result, string fragment, int line, int column)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Manifest);
        var match = result.Problems.FirstOrDefault(p => p.Message.Contains(fragment, StringComparison.Ordinal)
                                                        && p.Location == new SourceLocation(line, column));
        Assert.True(
            match is not null,
            $"expected a problem at ({line},{column}) containing \"{fragment}\"; got:\n" + Describe(result));
        return match!;
    }

    public static ManifestProblem AssertSingleProblem(ManifestLoadResult result, string fragment, int line, int column)
    {
        var problem = AssertProblem(result, fragment, line, column);
        Assert.True(result.Problems.Count == 1, "expected exactly one problem; got:\n" + Describe(result));
        return problem;
    }

    public static string Describe(ManifestLoadResult result) =>
        string.Join("\n", result.Problems.Select(p => $"  {p.Location}: {p.Message}"));
}
