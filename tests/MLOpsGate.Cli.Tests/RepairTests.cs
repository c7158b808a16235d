using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace MLOpsGate.Cli.Tests;

/// <summary>A copy of the fixtures shared by the repair tests: each writes its own output files.</summary>
public sealed class FixtureCopy : IDisposable
{
    public FixtureCopy()
    {
        Workspace.CopyFromRepository("fixtures/models");
        Workspace.CopyFromRepository("fixtures/data");
        Workspace.CopyFromRepository("fixtures/mlopsgate.yml");
    }

    public TempWorkspace Workspace { get; } = new();

    public void Dispose() => Workspace.Dispose();
}

/// <summary>`fix` turns every fixable fixture into a model that passes; `init` drafts manifests that validate.</summary>
public sealed class RepairTests(FixtureCopy copy) : IClassFixture<FixtureCopy>
{
    private static readonly Lazy<JsonSchema> ManifestSchema = new(() => JsonSchema.FromText(File.ReadAllText(RepositoryRoot.Combine("schema/mlopsgate.schema.json"))));

    private readonly TempWorkspace workspace = copy.Workspace;

    /// <summary>Failing fixtures whose findings are all scaling or training-mode faults (plus warnings and notes).</summary>
    public static TheoryData<string, string> FixableCases()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("fixtures/expected.json")));
        var fixable = new HashSet<string> { "MLG003", "MLG004", "MLG005", "MLG007", "MLG008", "MLG010", "MLG013", "MLG014", "MLG015", "MLG017" };
        var data = new TheoryData<string, string>();
        foreach (var model in expected.RootElement.GetProperty("models").EnumerateObject())
        {
            var rules = model.Value.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).ToList();
            if (model.Value.GetProperty("verdict").GetString() == "fail" && rules.All(fixable.Contains))
            {
                // A declared `compensation: node` verified only by the graph is satisfied by a node alone.
                bool graphOnly = model.Value.GetProperty("sites").EnumerateObject()
                    .Any(site => site.Value.TryGetProperty("evidence", out var e) && e.GetString() == "graph");
                if (!graphOnly)
                {
                    data.Add(model.Name, "weights");
                }

                data.Add(model.Name, "node");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixableCases))]
    public void FixWritesAModelThatRunsMatchesTheReferenceAndPasses(string model, string strategy)
    {
        var output = workspace.PathOf($"fixtures/fixed/{model}-{strategy}.onnx");
        var result = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--model", model, "--output", output, "--strategy", strategy);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("fixed: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("after:  pass", result.Stdout, StringComparison.Ordinal);

        // Independently: check the written model through a manifest that names it.
        var manifest = File.ReadAllText(workspace.PathOf("fixtures/mlopsgate.yml"));
        var original = File.ReadAllLines(workspace.PathOf("fixtures/mlopsgate.yml"));
        int start = Array.FindIndex(original, l => l.Trim() == $"- name: {model}");
        int artifactLine = Array.FindIndex(original, start, l => l.TrimStart().StartsWith("artifact:", StringComparison.Ordinal));
        original[artifactLine] = $"    artifact: fixed/{model}-{strategy}.onnx";
        var fixedManifest = workspace.PathOf($"fixtures/fixed-{model}-{strategy}.yml");
        File.WriteAllLines(fixedManifest, original);
        var json = workspace.PathOf($"fixtures/fixed/{model}.json");
        var check = CliRun.Run("check", "--manifest", fixedManifest, "--model", model, "--report-json", json);
        Assert.True(check.ExitCode == 0, check.Stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var entry = report.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == model);
        if (entry.TryGetProperty("metrics", out var metrics))
        {
            Assert.Equal(0, metrics.GetProperty("mismatchFraction").GetDouble());
        }

        Assert.NotEqual(manifest, File.ReadAllText(fixedManifest));
    }

    [Fact]
    public void FixNeverOverwritesTheInputWithoutInPlace()
    {
        // Its own copy: --in-place changes the fixture model the other tests read.
        using var own = new FixtureCopy();
        var workspace = own.Workspace;
        var artifact = workspace.PathOf("fixtures/models/digits-standard-naive.onnx");
        var before = File.ReadAllBytes(artifact);
        var result = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--model", "digits-standard-naive", "--output", artifact);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(artifact));

        var inPlace = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--model", "digits-standard-naive", "--in-place");
        Assert.Equal(0, inPlace.ExitCode);
        Assert.NotEqual(before, File.ReadAllBytes(artifact));
        Assert.Equal(0, CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--model", "digits-standard-naive").ExitCode);
    }

    [Theory]
    [InlineData("digits-inverted-ok", "nothing to fix")]
    [InlineData("digits-standard-naive-unverified", "MLG016")]
    public void FixRefusesWithTheReasonWhenThereIsNoScalingFaultToCorrect(string model, string reason)
    {
        var output = workspace.PathOf($"fixtures/refused-{model}.onnx");
        var result = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/mlopsgate.yml"), "--model", model, "--output", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(reason, result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void FixKeepsExternalDataExternal()
    {
        // Move the fixture's initializers to an external-data file, as onnx.save_model(..., save_as_external_data=True) does.
        var model = Core.Onnx.OnnxModel.Load(workspace.PathOf("fixtures/models/digits-standard-naive.onnx"), workspace.Root);
        var externalNames = model.Proto.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var external = workspace.PathOf("fixtures/models/external.onnx");
        SaveExternal(model, external);
        var manifest = File.ReadAllText(workspace.PathOf("fixtures/mlopsgate.yml")).Replace("artifact: models/digits-standard-naive.onnx", "artifact: models/external.onnx", StringComparison.Ordinal);
        File.WriteAllText(workspace.PathOf("fixtures/external.yml"), manifest);
        Assert.Equal(1, CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/external.yml"), "--model", "digits-standard-naive").ExitCode);

        var output = workspace.PathOf("fixtures/fixed/external-fixed.onnx");
        var result = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/external.yml"), "--model", "digits-standard-naive", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stdout);
        Assert.True(File.Exists(output + ".data"));
        var written = Core.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.All(written.Graph.Initializer.Where(t => externalNames.Contains(t.Name)), t => Assert.Equal(Core.Onnx.Proto.TensorProto.Types.DataLocation.External, t.DataLocation));
    }

    [Fact]
    public void FixCopiesAnInitializerThatOtherNodesShareBeforeRescalingIt()
    {
        // A second Gemm reads fc2.weight too: rescaling it in place would change that node as well.
        var source = Core.Onnx.OnnxModel.Load(workspace.PathOf("fixtures/models/digits-standard-naive.onnx"), workspace.Root);
        var proto = source.Proto.Clone();
        var gemm = proto.Graph.Node.Single(n => n.Input.Contains("fc2.weight"));
        var twin = gemm.Clone();
        twin.Name = "twin";
        twin.Output[0] = "twin_output";
        proto.Graph.Node.Add(twin);
        proto.Graph.Output.Add(new Core.Onnx.Proto.ValueInfoProto { Name = "twin_output", Type = proto.Graph.Output[0].Type.Clone() });
        File.WriteAllBytes(workspace.PathOf("fixtures/models/shared.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var manifest = File.ReadAllText(workspace.PathOf("fixtures/mlopsgate.yml"))
            .Replace("artifact: models/digits-standard-naive.onnx", "artifact: models/shared.onnx", StringComparison.Ordinal);
        File.WriteAllText(workspace.PathOf("fixtures/shared.yml"), manifest);

        var output = workspace.PathOf("fixtures/fixed/shared-fixed.onnx");
        var result = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/shared.yml"), "--model", "digits-standard-naive-checkpoint-only", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stdout);
        var written = Core.Onnx.OnnxModel.Load(output, workspace.Root);
        var original = Core.Onnx.TensorValues.ToDoubles(source.Initializers["fc2.weight"]);
        Assert.Equal(original.Select(v => (double)(float)(v * 0.5)), Core.Onnx.TensorValues.ToDoubles(written.Initializers["fc2.weight"]));
        var twinWeight = written.Graph.Node.Single(n => n.Name == "twin").Input[1];
        Assert.NotEqual("fc2.weight", twinWeight);
        Assert.Equal(original, Core.Onnx.TensorValues.ToDoubles(written.Initializers[twinWeight]));
        Assert.Contains("share", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsNoFactorCanRepairAreMLG007WithTheClosestAssignmentAndFixRefuses()
    {
        // The reference outputs of another trained model: no keep factor at the site explains them.
        var manifest = $"""
            version: 1
            models:
              - name: unrepairable
                artifact: models/digits-standard-naive.onnx
                framework: pytorch
                dropout:
                  convention: standard
                  sites:
                    - input_of: fc2.weight
                      rate: 0.5
                calibration:
                  inputs: data/digits-standard-naive/inputs.npy
                expect:
                  outputs: data/digits-inverted-ok/outputs.npy
            """;
        File.WriteAllText(workspace.PathOf("fixtures/unrepairable.yml"), manifest);
        var check = CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/unrepairable.yml"));
        Assert.Equal(1, check.ExitCode);
        var mlg007 = Assert.Single(check.Diagnostics, d => d.Contains(": error MLG007: ", StringComparison.Ordinal));
        Assert.Contains("(closest: fc2.weight x", mlg007, StringComparison.Ordinal);
        Assert.Contains("unrepairable.yml(3,5)", mlg007, StringComparison.Ordinal);

        var fix = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/unrepairable.yml"), "--model", "unrepairable", "--output", workspace.PathOf("fixtures/unrepairable.onnx"));
        Assert.Equal(2, fix.ExitCode);
        Assert.Contains("nothing this command can fix", fix.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void FixRemovesAnExtraCompensatingMulWhateverTheStrategy()
    {
        // digits-standard-node carries Mul(0.5); declared inverted with only the checkpoint as evidence
        // (its references belong to the standard model), that Mul is double scaling.
        var manifest = File.ReadAllText(workspace.PathOf("fixtures/mlopsgate.yml"));
        var lines = manifest.Split('\n').ToList();
        int start = lines.FindIndex(l => l.Trim() == "- name: digits-standard-node");
        int end = lines.FindIndex(start + 1, l => l.TrimStart().StartsWith("- name:", StringComparison.Ordinal));
        string[] dropped = ["compensation:", "calibration:", "inputs:", "outputs:", "activations:"];
        var block = lines.GetRange(start, end - start)
            .Where(l => !dropped.Any(key => l.TrimStart().StartsWith(key, StringComparison.Ordinal)))
            .Select(l => l.Replace("convention: standard", "convention: inverted", StringComparison.Ordinal).Replace("name: digits-standard-node", "name: extra-mul", StringComparison.Ordinal));
        File.WriteAllText(workspace.PathOf("fixtures/extra-mul.yml"), "version: 1\nmodels:\n" + string.Join('\n', block) + "\n");
        var check = CliRun.Run("check", "--manifest", workspace.PathOf("fixtures/extra-mul.yml"));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains(check.Diagnostics, d => d.Contains(": error MLG004: ", StringComparison.Ordinal) && d.Contains("0.50x", StringComparison.Ordinal));

        foreach (var strategy in new[] { "weights", "node" })
        {
            var output = workspace.PathOf($"fixtures/fixed/extra-mul-{strategy}.onnx");
            var fix = CliRun.Run("fix", "--manifest", workspace.PathOf("fixtures/extra-mul.yml"), "--model", "extra-mul", "--output", output, "--strategy", strategy);
            Assert.True(fix.ExitCode == 0, fix.Stdout);
            Assert.Contains("fixed: removed node", fix.Stdout, StringComparison.Ordinal);
            var written = Core.Onnx.OnnxModel.Load(output, workspace.Root);
            Assert.DoesNotContain(written.Graph.Node, n => n.OpType == "Mul");
        }
    }

    private static void SaveExternal(Core.Onnx.OnnxModel model, string path)
    {
        var proto = model.Proto.Clone();
        using var data = File.Create(path + ".data");
        foreach (var tensor in proto.Graph.Initializer)
        {
            long offset = data.Position;
            tensor.RawData.WriteTo(data);
            tensor.ExternalData.Add(new Core.Onnx.Proto.StringStringEntryProto { Key = "location", Value = Path.GetFileName(path) + ".data" });
            tensor.ExternalData.Add(new Core.Onnx.Proto.StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new Core.Onnx.Proto.StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.DataLocation = Core.Onnx.Proto.TensorProto.Types.DataLocation.External;
            tensor.RawData = Google.Protobuf.ByteString.Empty;
        }

        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
    }

    public static TheoryData<string> FixtureModels()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryRoot.Combine("fixtures/models"), "*.onnx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void InitDraftsAManifestThatValidatesAgainstTheSchemaAndTheLoader(string modelFile)
    {
        var output = workspace.PathOf($"fixtures/drafts/{modelFile}.yml");
        var result = CliRun.Run("init", "--artifact", workspace.PathOf($"fixtures/models/{modelFile}"), "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Still to do", result.Stdout, StringComparison.Ordinal);
        var loaded = ManifestLoader.Load(output);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Problems.Select(p => p.Message)));
        using var json = JsonDocument.Parse(YamlToJson(File.ReadAllText(output))!.ToJsonString());
        Assert.True(ManifestSchema.Value.Evaluate(json.RootElement).IsValid);
        Assert.Contains("TODO confirm", File.ReadAllText(output), StringComparison.Ordinal);

        var again = CliRun.Run("init", "--artifact", workspace.PathOf($"fixtures/models/{modelFile}"), "--output", output);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InitFindsTheSiteAfterATrainingModeDropoutAndTheCompensatingMul()
    {
        CliRun.Run("init", "--artifact", workspace.PathOf("fixtures/models/digits-train-mode.onnx"), "--output", workspace.PathOf("init-a.yml"));
        var a = ManifestLoader.Load(workspace.PathOf("init-a.yml")).Manifest!.Models[0];
        Assert.Equal(("fc2.weight", 0.5), (a.Sites[0].Id, a.Sites[0].Rate));
        Assert.Equal(Framework.Pytorch, a.Framework);

        CliRun.Run("init", "--artifact", workspace.PathOf("fixtures/models/field4-paddle-mul.onnx"), "--output", workspace.PathOf("init-b.yml"));
        var b = ManifestLoader.Load(workspace.PathOf("init-b.yml")).Manifest!.Models[0];
        Assert.Equal((Framework.Paddle, DropoutConvention.Standard, CompensationPlace.Node), (b.Framework, b.Convention, b.Compensation));
        Assert.Equal(("linear_1.w_0", 0.5), (b.Sites[0].Id, b.Sites[0].Keep));
    }

    private static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Convert(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && double.TryParse(scalar.Value, System.Globalization.CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "true" or "false" => JsonValue.Create(scalar.Value == "true"),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
