using System.Text.RegularExpressions;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Cli.Tests;

/// <summary>
/// Bad input gets exit 2 and one clear line naming the file, line and fix: never a stack trace, never a pass.
/// Each test builds a small workspace from a real fixture model and its data.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string Model = "digits-inverted-ok";
    private readonly TempWorkspace workspace = new();

    public BadInputTests()
    {
        workspace.CopyFromRepository($"fixtures/models/{Model}.onnx");
        workspace.CopyFromRepository($"fixtures/data/{Model}");
    }

    public void Dispose() => workspace.Dispose();

    private string Manifest(string modelBlock) => workspace.Write("fixtures/mlopsgate.yml", "version: 1\nmodels:\n" + modelBlock);

    private static string Entry(string artifact = $"models/{Model}.onnx", string inputs = $"data/{Model}/inputs.npy", string outputs = $"data/{Model}/outputs.npy", string extra = "") =>
        $"""
          - name: {Model}
            artifact: {artifact}
            framework: pytorch
            dropout:
              convention: inverted
              sites:
                - input_of: fc2.weight
                  rate: 0.5
            calibration:
              inputs: {inputs}
            expect:
              outputs: {outputs}
        {extra}
        """;

    private void AssertOneClearError(CliResult result, string rule, int line, int column, string mentions)
    {
        Assert.Equal(2, result.ExitCode);
        var errors = result.Diagnostics.Where(d => d.Contains($": error {rule}:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith($"{workspace.PathOf("fixtures/mlopsgate.yml")}({line},{column}): error {rule}: ", error, StringComparison.Ordinal);
        Assert.Contains(mentions, error, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"^\s+at \S+\(", RegexOptions.Multiline), result.Stdout + result.Stderr);
        Assert.DoesNotContain("Exception", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private CliResult Check() => CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"));

    [Fact]
    public void MalformedYamlNamesTheLine()
    {
        Manifest(Entry() + "  - name: [unclosed\n");
        var result = Check();
        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.Diagnostics);
        Assert.Matches(@"mlopsgate\.yml\(1[56],\d+\): error MLG001: ", error);
    }

    [Fact]
    public void WrongTypeNamesTheKeyAndTheExpectedType()
    {
        Manifest(Entry().Replace("rate: 0.5", "rate: half", StringComparison.Ordinal));
        var result = Check();
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => Regex.IsMatch(d, @"mlopsgate\.yml\(10,\d+\): error MLG001: .*rate.*number"));
    }

    [Fact]
    public void UnknownKeySuggestsTheRightOne()
    {
        Manifest(Entry().Replace("artifact:", "artefact:", StringComparison.Ordinal));
        var result = Check();
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => Regex.IsMatch(d, @"mlopsgate\.yml\(4,5\): error MLG001: .*artefact.*did you mean 'artifact'"));
    }

    [Fact]
    public void MissingFileIsAnErrorAtTheKeyNamingIt()
    {
        Manifest(Entry(outputs: "data/nowhere.npy"));
        AssertOneClearError(Check(), "MLG002", 14, 7, "data/nowhere.npy");
    }

    [Fact]
    public void TruncatedModelCannotBeLoaded()
    {
        var path = workspace.PathOf($"fixtures/models/{Model}.onnx");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        Manifest(Entry());
        AssertOneClearError(Check(), "MLG002", 4, 5, "not a valid ONNX model");
    }

    [Fact]
    public void TextFileIsNotAnOnnxModel()
    {
        workspace.Write("fixtures/models/notes.onnx", "this is not a model\n");
        Manifest(Entry(artifact: "models/notes.onnx"));
        AssertOneClearError(Check(), "MLG002", 4, 5, "not a valid ONNX model");
    }

    [Fact]
    public void IntegerCalibrationDataForAFloatInputIsWidenedButWrongShapeIsRefused()
    {
        // 63 features per row where the model takes 64.
        File.WriteAllBytes(workspace.PathOf("fixtures/data/bad.npy"), NpyImage.Float32([2, 63], new float[126]));
        Manifest(Entry(inputs: "data/bad.npy"));
        AssertOneClearError(Check(), "MLG002", 12, 7, "[63]");
    }

    [Fact]
    public void UnsupportedDtypeIsRefusedWithTheFix()
    {
        File.WriteAllBytes(workspace.PathOf("fixtures/data/bad.npy"), NpyImage.Create("<i2", false, [2, 64], new byte[2 * 64 * 2]));
        Manifest(Entry(inputs: "data/bad.npy"));
        AssertOneClearError(Check(), "MLG002", 12, 7, "astype");
    }

    [Fact]
    public void ReferenceWithTheWrongNumberOfRowsIsRefused()
    {
        File.WriteAllBytes(workspace.PathOf("fixtures/data/short.npy"), NpyImage.Float32([3, 10], new float[30]));
        Manifest(Entry(outputs: "data/short.npy"));
        AssertOneClearError(Check(), "MLG002", 14, 7, "3 rows");
    }

    [Fact]
    public void DeclaredActivationsWithoutTheSiteAreAnErrorNotASilentFallback()
    {
        var npz = workspace.PathOf("fixtures/data/other.npz");
        using (var zip = System.IO.Compression.ZipFile.Open(npz, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("fc1.weight.npy").Open();
            entry.Write(NpyImage.Float32([2, 32], new float[64]));
        }

        Manifest(Entry(extra: "      activations: data/other.npz"));
        AssertOneClearError(Check(), "MLG002", 15, 7, "no reference activations for site 'fc2.weight'");
    }

    [Fact]
    public void NonFiniteCalibrationInputsAreBadInputNotAModelFault()
    {
        var values = new float[3 * 64];
        values[70] = float.NaN;
        File.WriteAllBytes(workspace.PathOf("fixtures/data/nan.npy"), NpyImage.Float32([3, 64], values));
        File.WriteAllBytes(workspace.PathOf("fixtures/data/nan-ref.npy"), NpyImage.Float32([3, 10], new float[30]));
        Manifest(Entry(inputs: "data/nan.npy", outputs: "data/nan-ref.npy"));
        AssertOneClearError(Check(), "MLG002", 12, 7, "NaN or infinity in row 1");
    }

    [Fact]
    public void OneSampleCannotMeasureASpread()
    {
        Manifest(Entry(extra: $"      activations: data/{Model}/activations.npz").Replace($"inputs: data/{Model}/inputs.npy", $"inputs: data/{Model}/inputs.npy\n      limit: 1", StringComparison.Ordinal));
        AssertOneClearError(Check(), "MLG002", 12, 7, "at least 2 calibration samples");
    }

    [Fact]
    public void AnUnwritableReportPathIsExitTwoWithoutAStackTrace()
    {
        Manifest(Entry());
        var result = CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--report-json", workspace.PathOf("fixtures"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mlopsgate: error: cannot write the output", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PathEscapingTheWorkspaceIsRefused()
    {
        Manifest(Entry(artifact: "../../outside.onnx"));
        var result = Check();
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => Regex.IsMatch(d, @"mlopsgate\.yml\(4,5\): error MLG001: .*workspace"));
    }

    [Fact]
    public void OtherModelsStillRunWhenOneCannotAndTheReportIsWritten()
    {
        Manifest(Entry() + Entry(artifact: "models/missing.onnx").Replace($"name: {Model}", "name: second", StringComparison.Ordinal));
        var json = workspace.PathOf("out/report.json");
        var result = CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--report-json", json);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Model}: pass", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("second: error", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"verdict\": \"error\"", File.ReadAllText(json), StringComparison.Ordinal);
    }
}
