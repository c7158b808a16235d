using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class ManifestKeysTests
{
    [Theory]
    [InlineData(ManifestKeys.ModelPath, "artefact", "artifact")]
    [InlineData(ManifestKeys.ModelPath, "Artifact", "artifact")]
    [InlineData(ManifestKeys.ModelPath, "sites", "dropout.sites")]
    [InlineData(ManifestKeys.ModelPath, "rate", "dropout.sites[].rate")]
    [InlineData(ManifestKeys.ModelPath, "convension", "dropout.convention")]
    [InlineData(ManifestKeys.ModelPath, "calib", "calibration")]
    [InlineData(ManifestKeys.CalibrationPath, "batch-size", "batch_size")]
    [InlineData(ManifestKeys.CalibrationPath, "batchSize", "batch_size")]
    [InlineData(ManifestKeys.CalibrationPath, "outputs", "expect.outputs")]
    [InlineData(ManifestKeys.SitePath, "input", "input_of")]
    [InlineData(ManifestKeys.SitePath, "compensation", "dropout.compensation")]
    [InlineData(ManifestKeys.RootPath, "tolerance", "defaults.tolerance")]
    [InlineData(ManifestKeys.RootPath, "name", "models[].name")]
    [InlineData(ManifestKeys.ExpectPath, "atol", "tolerance.atol")]
    [InlineData(ManifestKeys.ModelPath, "xyz", null)]
    [InlineData(ManifestKeys.SitePath, "p", null)]
    public void Suggestions(string mappingPath, string key, string? expected)
    {
        Assert.Equal(expected, ManifestKeys.Suggest(mappingPath, key));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("artefact", "artifact", 1)]
    [InlineData("", "abc", 3)]
    public void Levenshtein(string a, string b, int distance)
    {
        Assert.Equal(distance, ManifestKeys.Distance(a, b));
    }
}
