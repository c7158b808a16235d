using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class ManifestLoaderValidTests
{
    // Line numbers matter: the assertions below name them.
    internal const string FullManifest = """
        version: 1
        defaults:
          severity: warning
          tolerance: { rtol: 2.0e-3, atol: 1.0e-4 }
        models:
          - name: digits-mlp
            severity: error
            artifact: models/digits.onnx
            framework: pytorch
            dropout:
              convention: standard
              sites:
                - input_of: fc2.weight
                  rate: 0.5
                - tensor: /act1/Relu_output_0
                  keep: 0.8
                - tensor: /prenet/Relu_output_0
                  rate: 0.5
                  active_at_inference: true
              compensation: weights
            calibration:
              inputs: data/digits_x.npy
              batch_size: 32
              limit: 1024
            expect:
              outputs: data/digits_ref.npy
              tolerance: { atol: 1.0e-6 }
              activations: data/digits_acts.npz
              checkpoint: data/trained_weights.npz
              deterministic: false
              saturation: { max_increase: 0.05 }
          - name: tiny_cnn.v2
            artifact: ./nested/../models/tiny.onnx
            framework: keras
            dropout: { convention: inverted }
        """;

    [Fact]
    public void Full_manifest_keeps_every_field_and_location()
    {
        using var workspace = new TempWorkspace();
        var manifestPath = workspace.Write("proj/mlopsgate.yml", FullManifest);

        var result = ManifestLoader.Load(manifestPath);

        Assert.True(result.IsValid, ManifestTestSupport.Describe(result));
        var manifest = result.Manifest!;
        Assert.Equal(manifestPath, manifest.DisplayPath);
        Assert.Equal(Path.GetFullPath(manifestPath), manifest.FullPath);
        Assert.Equal(workspace.Root, manifest.WorkspaceRoot);
        Assert.Equal(GateSeverity.Warning, manifest.DefaultSeverity);
        Assert.Equal(new Tolerance(2.0e-3, 1.0e-4), manifest.DefaultTolerance);
        Assert.Equal(2, manifest.Models.Count);

        var digits = manifest.Models[0];
        Assert.Equal("digits-mlp", digits.Name);
        Assert.Equal(new SourceLocation(6, 5), digits.NameLocation);
        Assert.Equal(GateSeverity.Error, digits.Severity);
        Assert.Equal(new SourceLocation(7, 5), digits.SeverityLocation);
        AssertFile(digits.Artifact, "artifact", "models/digits.onnx", workspace, "proj/models/digits.onnx", 8, 5);
        Assert.Equal(Framework.Pytorch, digits.Framework);
        Assert.Equal(new SourceLocation(9, 5), digits.FrameworkLocation);
        Assert.Equal(new SourceLocation(10, 5), digits.DropoutLocation);
        Assert.Equal(DropoutConvention.Standard, digits.Convention);
        Assert.Equal(new SourceLocation(11, 7), digits.ConventionLocation);
        Assert.Equal(new SourceLocation(12, 7), digits.SitesLocation);
        Assert.Equal(CompensationPlace.Weights, digits.Compensation);
        Assert.Equal(new SourceLocation(20, 7), digits.CompensationLocation);

        Assert.Equal(3, digits.Sites.Count);
        var fc2 = digits.Sites[0];
        Assert.Equal(SiteKind.InputOf, fc2.Kind);
        Assert.Equal("fc2.weight", fc2.Id);
        Assert.Equal(new SourceLocation(13, 11), fc2.Location);
        Assert.Equal(0.5, fc2.Rate);
        Assert.Equal(0.5, fc2.Keep);
        Assert.False(fc2.DeclaredAsKeep);
        Assert.Equal(new SourceLocation(14, 11), fc2.RateLocation);
        Assert.False(fc2.ActiveAtInference);
        Assert.Null(fc2.ActiveAtInferenceLocation);

        var act1 = digits.Sites[1];
        Assert.Equal(SiteKind.Tensor, act1.Kind);
        Assert.Equal("/act1/Relu_output_0", act1.Id);
        Assert.Equal(new SourceLocation(15, 11), act1.Location);
        Assert.Equal(0.2, act1.Rate, 15);
        Assert.Equal(0.8, act1.Keep);
        Assert.True(act1.DeclaredAsKeep);
        Assert.Equal(new SourceLocation(16, 11), act1.RateLocation);

        var prenet = digits.Sites[2];
        Assert.Equal(SiteKind.Tensor, prenet.Kind);
        Assert.Equal("/prenet/Relu_output_0", prenet.Id);
        Assert.Equal(new SourceLocation(17, 11), prenet.Location);
        Assert.Equal(0.5, prenet.Rate);
        Assert.True(prenet.ActiveAtInference);
        Assert.Equal(new SourceLocation(19, 11), prenet.ActiveAtInferenceLocation);

        var calibration = digits.Calibration!;
        Assert.Equal(new SourceLocation(21, 5), calibration.Location);
        AssertFile(calibration.Inputs, "inputs", "data/digits_x.npy", workspace, "proj/data/digits_x.npy", 22, 7);
        Assert.Equal(32, calibration.BatchSize);
        Assert.Equal(1024L, calibration.Limit);

        var expect = digits.Expect;
        Assert.Equal(new SourceLocation(25, 5), expect.Location);
        AssertFile(expect.Outputs!, "outputs", "data/digits_ref.npy", workspace, "proj/data/digits_ref.npy", 26, 7);
        Assert.Equal(new Tolerance(2.0e-3, 1.0e-6), expect.Tolerance);
        Assert.Equal(new SourceLocation(27, 7), expect.ToleranceLocation);
        AssertFile(expect.Activations!, "activations", "data/digits_acts.npz", workspace, "proj/data/digits_acts.npz", 28, 7);
        AssertFile(expect.Checkpoint!, "checkpoint", "data/trained_weights.npz", workspace, "proj/data/trained_weights.npz", 29, 7);
        Assert.False(expect.Deterministic);
        Assert.Equal(new SourceLocation(30, 7), expect.DeterministicLocation);
        Assert.Equal(0.05, expect.SaturationMaxIncrease);
        Assert.Equal(new SourceLocation(31, 7), expect.SaturationLocation);
        Assert.Equal(
            ["artifact", "inputs", "outputs", "activations", "checkpoint"],
            digits.Files.Select(f => f.Key).ToArray());

        var tiny = manifest.Models[1];
        Assert.Equal("tiny_cnn.v2", tiny.Name);
        Assert.Equal(new SourceLocation(32, 5), tiny.NameLocation);
        Assert.Equal(GateSeverity.Warning, tiny.Severity);
        Assert.Null(tiny.SeverityLocation);
        AssertFile(tiny.Artifact, "artifact", "./nested/../models/tiny.onnx", workspace, "proj/models/tiny.onnx", 33, 5);
        Assert.Equal(Framework.Keras, tiny.Framework);
        Assert.Equal(new SourceLocation(34, 5), tiny.FrameworkLocation);
        Assert.Equal(DropoutConvention.Inverted, tiny.Convention);
        Assert.Equal(new SourceLocation(35, 16), tiny.ConventionLocation);
        Assert.Empty(tiny.Sites);
        Assert.Null(tiny.SitesLocation);
        Assert.Equal(CompensationPlace.Any, tiny.Compensation);
        Assert.Null(tiny.CompensationLocation);
        Assert.Null(tiny.Calibration);
        Assert.Null(tiny.Expect.Location);
        Assert.Null(tiny.Expect.Outputs);
        Assert.Null(tiny.Expect.Activations);
        Assert.Null(tiny.Expect.Checkpoint);
        Assert.Equal(new Tolerance(2.0e-3, 1.0e-4), tiny.Expect.Tolerance);
        Assert.True(tiny.Expect.Deterministic);
        Assert.Null(tiny.Expect.SaturationMaxIncrease);
    }

    [Fact]
    public void Built_in_defaults_apply_when_nothing_is_given()
    {
        using var workspace = new TempWorkspace();
        var result = ManifestTestSupport.Parse("""
            version: 1
            models:
              - name: m
                artifact: model.onnx
                framework: custom
                dropout:
                  convention: standard
                  sites: [ { input_of: w, rate: 0.25 } ]
                calibration:
                  inputs: x.npz
                expect:
                  checkpoint: ckpt.safetensors
            """, workspace);

        Assert.True(result.IsValid, ManifestTestSupport.Describe(result));
        var manifest = result.Manifest!;
        Assert.Equal("mlopsgate.yml", manifest.DisplayPath);
        var model = Assert.Single(manifest.Models);
        Assert.Equal(GateSeverity.Error, model.Severity);
        Assert.Equal(CompensationPlace.Any, model.Compensation);
        Assert.Equal(CalibrationSpec.DefaultBatchSize, model.Calibration!.BatchSize);
        Assert.Null(model.Calibration.Limit);
        Assert.Equal(Tolerance.Default, model.Expect.Tolerance);
        Assert.True(model.Expect.Deterministic);
        Assert.Equal(new SourceLocation(8, 18), model.Sites[0].Location);
        Assert.Equal(0.25, model.Sites[0].Rate);
    }

    [Fact]
    public void Checkpoint_alone_needs_no_calibration()
    {
        using var workspace = new TempWorkspace();
        var result = ManifestTestSupport.Parse(
            "version: 1\nmodels:\n" + ManifestTestSupport.MinimalModel + "\n    expect:\n      checkpoint: ckpt.npz\n",
            workspace);

        Assert.True(result.IsValid, ManifestTestSupport.Describe(result));
        Assert.Null(result.Manifest!.Models[0].Calibration);
        Assert.Equal("checkpoint", result.Manifest.Models[0].Expect.Checkpoint!.Key);
    }

    [Theory]
    [InlineData("0x10", 16)]
    [InlineData("0o20", 16)]
    [InlineData("+16", 16)]
    [InlineData("1.6e1", 16)]
    public void Integers_accept_the_core_schema_forms(string text, int expected)
    {
        using var workspace = new TempWorkspace();
        var result = ManifestTestSupport.Parse(
            "version: 1\nmodels:\n" + ManifestTestSupport.MinimalModel + $"\n    calibration:\n      inputs: x.npy\n      batch_size: {text}\n",
            workspace);

        Assert.True(result.IsValid, ManifestTestSupport.Describe(result));
        Assert.Equal(expected, result.Manifest!.Models[0].Calibration!.BatchSize);
    }

    [Fact]
    public void Anchors_and_aliases_are_followed()
    {
        using var workspace = new TempWorkspace();
        var result = ManifestTestSupport.Parse("""
            version: 1
            models:
              - name: a
                artifact: a.onnx
                framework: jax
                dropout: &shared
                  convention: inverted
                  sites: [ { tensor: t, rate: 0.1 } ]
              - name: b
                artifact: b.onnx
                framework: jax
                dropout: *shared
            """, workspace);

        Assert.True(result.IsValid, ManifestTestSupport.Describe(result));
        Assert.Equal("t", result.Manifest!.Models[1].Sites[0].Id);
    }

    private static void AssertFile(ManifestFile file, string key, string value, TempWorkspace workspace, string relative, int line, int column)
    {
        Assert.Equal(key, file.Key);
        Assert.Equal(value, file.Value);
        Assert.Equal(workspace.PathOf(relative), file.FullPath);
        Assert.Equal(relative, file.WorkspaceRelativePath);
        Assert.Equal(new SourceLocation(line, column), file.Location);
    }
}
