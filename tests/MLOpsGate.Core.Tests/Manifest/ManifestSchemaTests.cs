using MLOpsGate.Tests.Shared;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

/// <summary>The shipped JSON Schema accepts what the loader accepts and rejects the structural errors it rejects.</summary>
public sealed class ManifestSchemaTests : IDisposable
{
    private const string SchemaRelativePath = "schema/mlopsgate.schema.json";

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(FindSchemaFile())));

    private const string Minimal = """
        version: 1
        models:
          - name: m
            artifact: model.onnx
            framework: pytorch
            dropout:
              convention: inverted
        """;

    private readonly TempWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    public static TheoryData<string> ValidManifests => new()
    {
        ManifestLoaderValidTests.FullManifest,
        Minimal,
        """
        version: 1
        defaults: { severity: error, tolerance: { rtol: 0 } }
        models:
          - name: std.model_1
            artifact: m.onnx
            framework: paddle
            dropout:
              convention: standard
              sites: [ { input_of: w, keep: 0.9 } ]
              compensation: node
            expect: { checkpoint: ck.safetensors }
        """,
    };

    public static TheoryData<string, string> InvalidManifests => new()
    {
        { "unknown key", Minimal.Replace("artifact:", "artefact:", StringComparison.Ordinal) + "\n    artifact: model.onnx" },
        { "unknown top-level key", Minimal + "\nextra: 1" },
        { "wrong type", Minimal + "\n    calibration:\n      inputs: x.npy\n      batch_size: \"64\"" },
        { "boolean written as yes", Minimal + "\n    expect:\n      deterministic: yes" },
        { "missing key", Minimal.Replace("    framework: pytorch\n", string.Empty, StringComparison.Ordinal) },
        { "missing convention", Minimal.Replace("      convention: inverted", "      sites: []", StringComparison.Ordinal) },
        { "rate and keep", Minimal + "\n      sites:\n        - tensor: t\n          rate: 0.5\n          keep: 0.5" },
        { "input_of and tensor", Minimal + "\n      sites:\n        - tensor: t\n          input_of: w\n          rate: 0.5" },
        { "site without id", Minimal + "\n      sites:\n        - rate: 0.5" },
        { "rate out of range", Minimal + "\n      sites:\n        - tensor: t\n          rate: 1" },
        { "bad framework", Minimal.Replace("pytorch", "pytroch", StringComparison.Ordinal) },
        { "bad convention", Minimal.Replace("inverted", "inverse", StringComparison.Ordinal) },
        { "bad severity", Minimal + "\n    severity: fatal" },
        { "version 2", Minimal.Replace("version: 1", "version: 2", StringComparison.Ordinal) },
        { "bad name", Minimal.Replace("name: m", "name: a b", StringComparison.Ordinal) },
        { "empty models", "version: 1\nmodels: []" },
        { "compensation with inverted", Minimal + "\n      compensation: any" },
        { "standard without sites", Minimal.Replace("inverted", "standard", StringComparison.Ordinal) },
        { "outputs without calibration", Minimal + "\n    expect:\n      outputs: ref.npy" },
        { "defaults with another key", "version: 1\ndefaults:\n  framework: pytorch\nmodels:\n  - name: m\n    artifact: a.onnx\n    framework: pytorch\n    dropout: { convention: inverted }" },
        { "negative tolerance", Minimal + "\n    expect:\n      tolerance: { atol: -1 }" },
        { "saturation above 1", Minimal + "\n    expect:\n      saturation: { max_increase: 2 }" },
        { "zero batch", Minimal + "\n    calibration: { inputs: x.npy, batch_size: 0 }" },
    };

    [Theory]
    [InlineData("fixtures/mlopsgate.yml")]
    [InlineData("fixtures/cannot-run.yml")]
    public void The_bundled_fixture_manifests_pass_the_schema(string relativePath)
    {
        var results = Evaluate(File.ReadAllText(RepositoryRoot.Combine(relativePath)));
        Assert.True(results.IsValid, relativePath);
    }

    [Theory]
    [MemberData(nameof(ValidManifests))]
    public void Valid_manifests_pass_the_schema_and_the_loader(string yaml)
    {
        var results = Evaluate(yaml);

        Assert.True(results.IsValid, Errors(results));
        Assert.True(ManifestTestSupport.Parse(yaml, workspace).IsValid);
    }

    [Theory]
    [MemberData(nameof(InvalidManifests))]
    public void Invalid_manifests_fail_the_schema_and_the_loader(string reason, string yaml)
    {
        Assert.False(Evaluate(yaml).IsValid, $"the schema accepted a manifest with: {reason}");
        Assert.False(ManifestTestSupport.Parse(yaml, workspace).IsValid, $"the loader accepted a manifest with: {reason}");
    }

    [Fact]
    public void Schema_names_exactly_the_loader_keys_and_closes_every_object()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FindSchemaFile()));
        var root = document.RootElement;
        var defs = root.GetProperty("$defs");
        var objects = new Dictionary<string, JsonElement>
        {
            [ManifestKeys.RootPath] = root,
            [ManifestKeys.DefaultsPath] = root.GetProperty("properties").GetProperty("defaults"),
            [ManifestKeys.DefaultsTolerancePath] = defs.GetProperty("tolerance"),
            [ManifestKeys.ModelPath] = defs.GetProperty("model"),
            [ManifestKeys.DropoutPath] = defs.GetProperty("dropout"),
            [ManifestKeys.SitePath] = defs.GetProperty("site"),
            [ManifestKeys.CalibrationPath] = defs.GetProperty("calibration"),
            [ManifestKeys.ExpectPath] = defs.GetProperty("expect"),
            [ManifestKeys.ExpectTolerancePath] = defs.GetProperty("tolerance"),
            [ManifestKeys.SaturationPath] = defs.GetProperty("expect").GetProperty("properties").GetProperty("saturation"),
        };

        Assert.Equal(ManifestKeys.Keys.Keys.Order(), objects.Keys.Order());
        foreach (var (path, element) in objects)
        {
            Assert.False(element.GetProperty("additionalProperties").GetBoolean(), path);
            var names = element.GetProperty("properties").EnumerateObject().Select(p => p.Name);
            Assert.Equal(ManifestKeys.Keys[path], names);
        }

        Assert.Equal(
            ManifestValidator.FrameworkValues,
            defs.GetProperty("model").GetProperty("properties").GetProperty("framework").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ManifestValidator.CompensationValues,
            defs.GetProperty("dropout").GetProperty("properties").GetProperty("compensation").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ManifestValidator.SeverityValues,
            defs.GetProperty("severity").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    private static EvaluationResults Evaluate(string yaml)
    {
        var read = YamlTreeReader.Read(yaml);
        Assert.Empty(read.Problems);
        var json = ToJson(read.Root)?.ToJsonString() ?? "null";
        using var instance = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    /// <summary>YAML (core schema) to JSON: what an editor's YAML language server hands to the schema.</summary>
    private static JsonNode? ToJson(YamlNode? node) => node switch
    {
        null => null,
        YamlMappingNode map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Name, ToJson(e.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Items.Select(ToJson)]),
        YamlScalarNode { Kind: YamlScalarKind.Null } => null,
        YamlScalarNode { Kind: YamlScalarKind.Boolean } s => JsonValue.Create(s.BooleanValue),
        YamlScalarNode { Kind: YamlScalarKind.Integer } s => JsonValue.Create((long)s.NumberValue),
        YamlScalarNode { Kind: YamlScalarKind.Float } s => JsonValue.Create(s.NumberValue),
        YamlScalarNode s => JsonValue.Create(s.Text),
        _ => throw new InvalidOperationException("unexpected node"),
    };

    private static string Errors(EvaluationResults results) =>
        string.Join(
            "\n",
            (results.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    private static string FindSchemaFile()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, SchemaRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{SchemaRelativePath} not found above {AppContext.BaseDirectory}");
    }
}
