using System.Text.Json;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Core.Tests.Fixtures;

/// <summary>
/// Runs the gate once over the bundled real fixtures (fixtures/mlopsgate.yml) and shares the report
/// with every test in the collection: the expensive part (ONNX Runtime sessions) happens once.
/// </summary>
public sealed class FixtureGateRun
{
    public FixtureGateRun()
    {
        ManifestPath = RepositoryRoot.Combine("fixtures/mlopsgate.yml");
        Manifest = Load(ManifestPath);
        Result = Gate.Run(Manifest, new GateOptions(FailOn.Error, []));
        CannotRun = Gate.Run(Load(RepositoryRoot.Combine("fixtures/cannot-run.yml")), new GateOptions(FailOn.Error, []));
        Expected = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("fixtures/expected.json")));
        ManifestLines = File.ReadAllLines(ManifestPath);
    }

    /// <summary>The run over fixtures/cannot-run.yml: cases the gate must refuse to run.</summary>
    public GateResult CannotRun { get; }

    public string ManifestPath { get; }

    public GateManifest Manifest { get; }

    public GateResult Result { get; }

    /// <summary>What each case must give, written by the fixture generator from how it built the case.</summary>
    public JsonDocument Expected { get; }

    public string[] ManifestLines { get; }

    public ModelReport Model(string name) => Result.Report.Models.Concat(CannotRun.Report.Models).Single(m => m.Name == name);

    private static GateManifest Load(string path)
    {
        var loaded = ManifestLoader.Load(path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Problems.Select(p => $"{p.Location}: {p.Message}")));
        return loaded.Manifest!;
    }

    public JsonElement ExpectedModel(string name) => Expected.RootElement.GetProperty("models").GetProperty(name);

    /// <summary>
    /// The 1-based line and column of <paramref name="key"/> inside the model block that starts with
    /// `- name: MODEL`, found by scanning the YAML text (independently of the manifest parser).
    /// </summary>
    public (int Line, int Column) KeyPosition(string model, string key, string? value = null)
    {
        int start = Array.FindIndex(ManifestLines, l => l.TrimStart().StartsWith("- name:", StringComparison.Ordinal) && l.Trim().EndsWith(" " + model, StringComparison.Ordinal));
        Assert.True(start >= 0, $"model {model} not in the manifest");
        for (int i = start; i < ManifestLines.Length; i++)
        {
            if (i > start && ManifestLines[i].TrimStart().StartsWith("- name:", StringComparison.Ordinal))
            {
                break;
            }

            var text = ManifestLines[i];
            int col = text.IndexOf(key + ":", StringComparison.Ordinal);
            if (col >= 0 && (value is null || text.Contains(value, StringComparison.Ordinal)))
            {
                return (i + 1, col + 1);
            }
        }

        throw new InvalidOperationException($"key {key} not found in model {model}");
    }
}

[CollectionDefinition(Name)]
public sealed class FixtureCollection : ICollectionFixture<FixtureGateRun>
{
    public const string Name = "real fixtures";
}
