using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Manifest;
using static MLOpsGate.Core.Tests.Manifest.ManifestTestSupport;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class ManifestLoaderProblemTests : IDisposable
{
    private const string Header = "version: 1\nmodels:\n";

    private readonly TempWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    private ManifestLoadResult Parse(string yaml) => ManifestTestSupport.Parse(yaml, workspace);

    /// <summary>The minimal model followed by <paramref name="extra"/> (model-level lines, 4-space indented).</summary>
    private ManifestLoadResult ParseModel(string extra) => Parse(Header + MinimalModel + "\n" + extra);

    [Fact]
    public void A_tab_in_the_indentation_is_located_at_the_tab()
    {
        var result = Parse("version: 1\nmodels:\n  - name: m\n\tartifact: a.onnx\n");
        var problem = Assert.Single(result.Problems);
        Assert.Contains("tab", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(4, 1), problem.Location);
    }

    [Fact]
    public void Unknown_model_key_suggests_the_nearest_and_lists_the_allowed_keys()
    {
        var result = Parse(Header + """
              - name: digits-mlp
                artefact: models/digits.onnx
                framework: pytorch
                dropout: { convention: inverted }
            """);

        AssertProblem(
            result,
            "unknown key 'artefact' in model 'digits-mlp'; did you mean 'artifact'? Allowed keys: name, severity, artifact, framework, dropout, calibration, expect",
            4,
            5);
        AssertProblem(result, "missing required key 'artifact' in model 'digits-mlp'", 3, 5);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void A_key_at_the_wrong_level_points_to_where_it_belongs()
    {
        var result = ParseModel("    sites: []\n");

        AssertSingleProblem(result, "unknown key 'sites' in model 'm'; did you mean 'dropout.sites'?", 8, 5);
    }

    [Theory]
    [InlineData("    calibraton:\n      inputs: x.npy\n", "unknown key 'calibraton' in model 'm'; did you mean 'calibration'?", 8, 5)]
    [InlineData("    calibration:\n      inputs: x.npy\n      batchsize: 8\n", "unknown key 'batchsize' in 'calibration' of model 'm'; did you mean 'batch_size'? Allowed keys: inputs, batch_size, limit", 10, 7)]
    [InlineData("    expect:\n      inputs: x.npy\n", "unknown key 'inputs' in 'expect' of model 'm'; did you mean 'calibration.inputs'?", 9, 7)]
    [InlineData("    expect:\n      rtol: 0.1\n", "did you mean 'tolerance.rtol'?", 9, 7)]
    [InlineData("    whatever: 1\n", "unknown key 'whatever' in model 'm'; remove it or use one of the allowed keys: name, severity", 8, 5)]
    public void Unknown_keys_everywhere_get_a_suggestion(string extra, string fragment, int line, int column)
    {
        AssertSingleProblem(ParseModel(extra), fragment, line, column);
    }

    [Fact]
    public void Unknown_key_inside_saturation()
    {
        var result = ParseModel("    expect:\n      saturation: { max_incr: 0.1 }\n");

        AssertProblem(result, "unknown key 'max_incr' in 'expect.saturation' of model 'm'; did you mean 'max_increase'? Allowed keys: max_increase", 9, 21);
        AssertProblem(result, "missing required key 'max_increase' in 'expect.saturation' of model 'm'", 9, 7);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void Defaults_take_only_severity_and_tolerance()
    {
        var result = Parse("version: 1\ndefaults:\n  framework: pytorch\n  severity: warning\nmodels:\n" + MinimalModel);

        AssertSingleProblem(
            result,
            "unknown key 'framework' in 'defaults'; did you mean 'models[].framework'? Allowed keys: severity, tolerance",
            3,
            3);
    }

    [Fact]
    public void Unknown_top_level_key()
    {
        var result = Parse("version: 1\nseverity: error\nmodels:\n" + MinimalModel);

        AssertSingleProblem(result, "unknown key 'severity' at the top level; did you mean 'defaults.severity'? Allowed keys: version, defaults, models", 2, 1);
    }

    [Fact]
    public void Yes_is_a_string_in_yaml_1_2()
    {
        var result = ParseModel("    expect:\n      deterministic: yes\n");

        AssertSingleProblem(
            result,
            "'deterministic' in 'expect' of model 'm' must be a boolean (true or false), but it is the string 'yes'; YAML 1.2 reads 'yes' as a string, not a boolean: write true",
            9,
            7);
    }

    [Fact]
    public void On_and_off_are_strings_in_yaml_1_2()
    {
        var result = Parse(Header + """
              - name: m
                artifact: model.onnx
                framework: pytorch
                dropout:
                  convention: inverted
                  sites:
                    - tensor: t
                      rate: 0.5
                      active_at_inference: on
                expect:
                  deterministic: Off
            """);

        AssertProblem(result, "'active_at_inference' in site 't' of model 'm' must be a boolean (true or false), but it is the string 'on'; YAML 1.2 reads 'on' as a string, not a boolean: write true", 11, 11);
        AssertProblem(result, "but it is the string 'Off'; YAML 1.2 reads 'Off' as a string, not a boolean: write false", 13, 7);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void A_quoted_boolean_is_a_string()
    {
        var result = ParseModel("    expect:\n      deterministic: \"true\"\n");

        AssertSingleProblem(result, "must be a boolean (true or false), but it is the quoted string 'true'", 9, 7);
    }

    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_occurrence()
    {
        var result = Parse(Header + """
              - name: m
                artifact: model.onnx
                framework: pytorch
                framework: keras
                dropout:
                  convention: inverted
            """);

        AssertSingleProblem(result, "duplicate key 'framework' in model 'm': it is already given at line 5; keep only one of them", 6, 5);
    }

    [Fact]
    public void Duplicate_top_level_keys()
    {
        var result = Parse("version: 1\nversion: 1\nmodels:\n" + MinimalModel);

        AssertSingleProblem(result, "duplicate key 'version' at the top level: it is already given at line 1", 2, 1);
    }

    [Theory]
    [InlineData("version: \"1\"\nmodels:\n", "'version' at the top level must be the number 1, but it is the quoted string '1'; remove the quotes", 1, 1)]
    [InlineData("version: 2\nmodels:\n", "'version' is 2, but only manifest version 1 is supported; set 'version: 1'", 1, 1)]
    [InlineData("models:\n", "missing required key 'version' at the top level; add 'version: 1'", 1, 1)]
    public void Version_must_be_1(string head, string fragment, int line, int column)
    {
        AssertSingleProblem(Parse(head + MinimalModel), fragment, line, column);
    }

    [Fact]
    public void Missing_models()
    {
        AssertSingleProblem(Parse("version: 1\n"), "missing required key 'models' at the top level", 1, 1);
    }

    [Fact]
    public void Empty_models_list()
    {
        AssertSingleProblem(Parse("version: 1\nmodels: []\n"), "'models' is empty; list at least one model", 2, 1);
    }

    [Fact]
    public void Models_must_be_a_list()
    {
        AssertSingleProblem(Parse("version: 1\nmodels:\n  name: m\n"), "'models' at the top level must be a list of models, but it is a mapping", 2, 1);
    }

    [Fact]
    public void Empty_file()
    {
        AssertSingleProblem(Parse("# nothing yet\n"), "the manifest is empty; it needs 'version: 1' and a 'models' list", 1, 1);
    }

    [Fact]
    public void Missing_required_model_keys_point_at_the_name_key()
    {
        var result = Parse(Header + "  - name: bare\n");

        AssertProblem(result, "missing required key 'artifact' in model 'bare'", 3, 5);
        AssertProblem(result, "missing required key 'framework' in model 'bare'", 3, 5);
        AssertProblem(result, "missing required key 'dropout' in model 'bare'", 3, 5);
        Assert.Equal(3, result.Problems.Count);
    }

    [Fact]
    public void Missing_name_points_at_the_model_mapping()
    {
        var result = Parse(Header + "  - artifact: model.onnx\n    framework: pytorch\n    dropout: { convention: inverted }\n");

        AssertSingleProblem(result, "missing required key 'name' in model #1", 3, 5);
    }

    [Fact]
    public void Missing_convention_points_at_the_dropout_key()
    {
        var result = Parse(Header + "  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout:\n      sites: []\n");

        AssertSingleProblem(result, "missing required key 'convention' in 'dropout' of model 'm'; add 'convention: inverted'", 6, 5);
    }

    [Theory]
    [InlineData("bad name", "model name 'bad name' is not allowed: use only letters, digits, '.', '_' and '-'")]
    [InlineData("a/b", "model name 'a/b' is not allowed")]
    [InlineData("\"\"", "model name '' is not allowed")]
    public void Names_must_match_the_pattern(string name, string fragment)
    {
        var result = Parse(Header + $"  - name: {name}\n    artifact: model.onnx\n    framework: pytorch\n    dropout: {{ convention: inverted }}\n");

        AssertSingleProblem(result, fragment, 3, 5);
    }

    [Fact]
    public void A_numeric_name_must_be_quoted()
    {
        var result = Parse(Header + "  - name: 123\n    artifact: model.onnx\n    framework: pytorch\n    dropout: { convention: inverted }\n");

        AssertSingleProblem(result, "'name' in model '123' must be a string such as 'digits-mlp', but it is the number 123; quote it if it is meant as text: name: \"123\"", 3, 5);
    }

    [Fact]
    public void Names_must_be_unique()
    {
        var result = Parse(Header + MinimalModel + "\n" + MinimalModel);

        AssertSingleProblem(result, "model name 'm' is already used by the model at line 3; model names must be unique", 8, 5);
    }

    [Theory]
    [InlineData("framework: pytroch", "'framework' in model 'm' has the unknown value 'pytroch'; did you mean 'pytorch'? Allowed values: pytorch, tensorflow, keras, jax, paddle, mxnet, caffe, torch7, dl4j, numpy, custom", 5, 5)]
    [InlineData("framework: PyTorch", "did you mean 'pytorch'?", 5, 5)]
    [InlineData("framework: onnx", "'framework' in model 'm' has the unknown value 'onnx'; allowed values: pytorch,", 5, 5)]
    [InlineData("framework: [pytorch]", "'framework' in model 'm' must be one of pytorch, tensorflow", 5, 5)]
    public void Framework_enum(string line, string fragment, int row, int column)
    {
        var result = Parse(Header + $"  - name: m\n    artifact: model.onnx\n    {line}\n    dropout: {{ convention: inverted }}\n");

        AssertSingleProblem(result, fragment, row, column);
    }

    [Theory]
    [InlineData("convention: inverse", "'convention' in 'dropout' of model 'm' has the unknown value 'inverse'; did you mean 'inverted'? Allowed values: inverted, standard", 7, 7)]
    [InlineData("convention: standard\n      sites: [{ tensor: t, rate: 0.5 }]\n      compensation: weight", "'compensation' in 'dropout' of model 'm' has the unknown value 'weight'; did you mean 'weights'? Allowed values: weights, node, any", 9, 7)]
    public void Convention_and_compensation_enums(string dropout, string fragment, int line, int column)
    {
        var result = Parse(Header + $"  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout:\n      {dropout}\n");

        AssertSingleProblem(result, fragment, line, column);
    }

    [Theory]
    [InlineData("severity: fatal", "'severity' in model 'm' has the unknown value 'fatal'; allowed values: error, warning", 8, 5)]
    [InlineData("severity: warn", "did you mean 'warning'?", 8, 5)]
    public void Severity_enum(string line, string fragment, int row, int column)
    {
        AssertSingleProblem(ParseModel("    " + line + "\n"), fragment, row, column);
    }

    [Fact]
    public void Compensation_with_inverted_is_refused()
    {
        var result = ParseModel("      compensation: any\n");

        AssertSingleProblem(result, "'compensation' in 'dropout' of model 'm' applies only to 'convention: standard'", 8, 7);
    }

    [Fact]
    public void Standard_without_sites_is_refused_at_the_dropout_key()
    {
        var result = Parse(Header + "  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout:\n      convention: standard\n");

        AssertSingleProblem(result, "model 'm' declares 'convention: standard' but lists no dropout sites", 6, 5);
    }

    [Fact]
    public void Standard_with_an_empty_sites_list_is_refused_at_the_sites_key()
    {
        var result = Parse(Header + "  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout:\n      convention: standard\n      sites: []\n");

        AssertSingleProblem(result, "model 'm' declares 'convention: standard' but lists no dropout sites", 8, 7);
    }

    [Theory]
    [InlineData("- input_of: w\n          tensor: t\n          rate: 0.5", "site 'w' of model 'm' has both 'input_of' and 'tensor'; a site names exactly one place", 10, 11)]
    [InlineData("- rate: 0.5", "site #1 of model 'm' names no place; add 'input_of:", 9, 11)]
    [InlineData("- tensor: t\n          rate: 0.5\n          keep: 0.5", "site 't' of model 'm' has both 'rate' and 'keep'; give exactly one of them", 11, 11)]
    [InlineData("- tensor: t", "site 't' of model 'm' has no 'rate' or 'keep'", 9, 11)]
    [InlineData("- tensor: t\n          rate: 1.5", "'rate' in site 't' of model 'm' is 1.5; a drop probability must be greater than 0 and less than 1", 10, 11)]
    [InlineData("- tensor: t\n          rate: 30", "a drop probability must be greater than 0 and less than 1 (for 30 % write 0.3)", 10, 11)]
    [InlineData("- tensor: t\n          rate: 0", "(a rate of 0 means no dropout: remove the site)", 10, 11)]
    [InlineData("- tensor: t\n          keep: 1.0", "'keep' in site 't' of model 'm' is 1.0; a keep probability must be greater than 0 and less than 1 (a keep probability of 1 means no dropout", 10, 11)]
    [InlineData("- tensor: t\n          keep: -0.2", "a keep probability must be greater than 0 and less than 1", 10, 11)]
    [InlineData("- tensor: t\n          rate: .nan", "'rate' in site 't' of model 'm' is .nan", 10, 11)]
    [InlineData("- tensor: t\n          rate: \"0.5\"", "'rate' in site 't' of model 'm' must be a number greater than 0 and less than 1, but it is the quoted string '0.5'; remove the quotes", 10, 11)]
    [InlineData("- tensor: t\n          rate: 0.5\n          active_at_inference: 1", "'active_at_inference' in site 't' of model 'm' must be a boolean (true or false), but it is the number 1", 11, 11)]
    [InlineData("- tensor: 42\n          rate: 0.5", "'tensor' in site #1 of model 'm' must be a string (an initializer or tensor name of the graph), but it is the number 42; quote it if it is meant as text: tensor: \"42\"", 9, 11)]
    [InlineData("- tensor: t\n          rate: 0.5\n        - input_of: t\n          rate: 0.2", "site 't' is declared twice in model 'm' (first at line 9)", 11, 11)]
    [InlineData("- fc2.weight", "site #1 in 'dropout.sites' of model 'm' must be a mapping such as '{ input_of: fc2.weight, rate: 0.5 }', but it is the string 'fc2.weight'", 9, 11)]
    [InlineData("- tensor: t\n          p: 0.5", "unknown key 'p' in site 't' of model 'm'; remove it or use one of the allowed keys: input_of, tensor, rate, keep, active_at_inference", 10, 11)]
    public void Site_rules(string site, string fragment, int line, int column)
    {
        var yaml = Header + "  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout:\n      convention: inverted\n      sites:\n        " + site + "\n";
        var result = Parse(yaml);

        AssertProblem(result, fragment, line, column);
    }

    [Theory]
    [InlineData("outputs")]
    [InlineData("activations")]
    public void Expect_outputs_and_activations_need_calibration(string key)
    {
        var result = ParseModel($"    expect:\n      {key}: ref.npz\n");

        AssertSingleProblem(result, $"'{key}' in 'expect' of model 'm' needs 'calibration': without calibration inputs there is nothing to run the model on", 9, 7);
    }

    [Theory]
    [InlineData("batch_size: 0", "'batch_size' in 'calibration' of model 'm' is 0; it must be a positive integer (e.g. 64)", 10, 7)]
    [InlineData("batch_size: 2.5", "'batch_size' in 'calibration' of model 'm' is 2.5; it must be a positive integer", 10, 7)]
    [InlineData("batch_size: 4294967296", "is 4294967296 (too large); it must be a positive integer", 10, 7)]
    [InlineData("limit: -3", "'limit' in 'calibration' of model 'm' is -3; it must be a positive integer (e.g. 1024)", 10, 7)]
    [InlineData("limit: lots", "'limit' in 'calibration' of model 'm' must be a positive integer (e.g. 1024), but it is the string 'lots'", 10, 7)]
    public void Calibration_counts_are_positive_integers(string line, string fragment, int row, int column)
    {
        AssertSingleProblem(ParseModel($"    calibration:\n      inputs: x.npy\n      {line}\n"), fragment, row, column);
    }

    [Fact]
    public void Calibration_needs_inputs()
    {
        AssertSingleProblem(ParseModel("    calibration:\n      batch_size: 8\n"), "missing required key 'inputs' in 'calibration' of model 'm'", 8, 5);
    }

    [Theory]
    [InlineData("    expect:\n      tolerance: { rtol: -1 }\n", "'rtol' in 'expect.tolerance' of model 'm' is -1; a tolerance must be a finite number of 0 or more", 9, 20)]
    [InlineData("    expect:\n      tolerance: { atol: small }\n", "'atol' in 'expect.tolerance' of model 'm' must be a non-negative number, but it is the string 'small'", 9, 20)]
    [InlineData("    expect:\n      tolerance: 0.1\n", "'tolerance' in 'expect' of model 'm' must be a mapping of rtol and atol", 9, 7)]
    [InlineData("    expect:\n      saturation: { max_increase: 1.5 }\n", "'max_increase' in 'expect.saturation' of model 'm' is 1.5; it is a fraction of units and must be from 0 to 1", 9, 21)]
    [InlineData("    expect:\n      saturation: {}\n", "missing required key 'max_increase' in 'expect.saturation' of model 'm'", 9, 7)]
    public void Expect_values(string extra, string fragment, int line, int column)
    {
        AssertSingleProblem(ParseModel(extra), fragment, line, column);
    }

    [Fact]
    public void Defaults_tolerance_is_checked()
    {
        var result = Parse("version: 1\ndefaults:\n  tolerance:\n    rtol: .inf\nmodels:\n" + MinimalModel);

        AssertSingleProblem(result, "'rtol' in 'defaults.tolerance' is .inf; a tolerance must be a finite number of 0 or more", 4, 5);
    }

    [Fact]
    public void Empty_value_is_reported_as_empty()
    {
        var result = Parse(Header + "  - name: m\n    artifact:\n    framework: pytorch\n    dropout: { convention: inverted }\n");

        AssertSingleProblem(result, "'artifact' in model 'm' must be a path (a string), relative to the manifest's folder, but it is empty; give it a value or remove the key", 4, 5);
    }

    [Fact]
    public void Wrong_container_types()
    {
        var result = Parse(Header + "  - name: m\n    artifact: model.onnx\n    framework: pytorch\n    dropout: inverted\n    calibration: [x.npy]\n");

        AssertProblem(result, "'dropout' in model 'm' must be a mapping of convention, sites and compensation, but it is the string 'inverted'", 6, 5);
        AssertProblem(result, "'calibration' in model 'm' must be a mapping of inputs, batch_size and limit, but it is a list", 7, 5);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void Several_problems_are_all_reported_in_document_order()
    {
        var result = Parse("""
            version: 3
            defaults:
              severity: fatal
            models:
              - name: first
                artefact: a.onnx
                framework: pytorch
                dropout:
                  convention: inverted
                  compensation: node
                  sites:
                    - input_of: w
                      rate: 0.5
                      keep: 0.5
                expect:
                  deterministic: yes
                  outputs: ref.npy
              - name: first
                artifact: ../outside.onnx
                framework: tensorflow
                dropout: { convention: standard }
              - just a string
            """);

        var expected = new (string Fragment, int Line, int Column)[]
        {
            ("'version' is 3", 1, 1),
            ("'severity' in 'defaults' has the unknown value 'fatal'", 3, 3),
            ("missing required key 'artifact' in model 'first'", 5, 5),
            ("unknown key 'artefact' in model 'first'; did you mean 'artifact'?", 6, 5),
            ("'compensation' in 'dropout' of model 'first' applies only to 'convention: standard'", 10, 7),
            ("site 'w' of model 'first' has both 'rate' and 'keep'", 14, 11),
            ("'deterministic' in 'expect' of model 'first' must be a boolean", 16, 7),
            ("'outputs' in 'expect' of model 'first' needs 'calibration'", 17, 7),
            ("model name 'first' is already used by the model at line 5", 18, 5),
            ("'artifact' in model 'first' points outside the workspace: '../outside.onnx' climbs out of the workspace with '..'", 19, 5),
            ("model 'first' declares 'convention: standard' but lists no dropout sites", 21, 5),
            ("entry #3 of 'models' must be a mapping with name, artifact, framework and dropout, but it is the string 'just a string'", 22, 5),
        };
        foreach (var (fragment, line, column) in expected)
        {
            AssertProblem(result, fragment, line, column);
        }

        Assert.Equal(expected.Length, result.Problems.Count);
        Assert.Equal(
            expected.Select(e => (e.Line, e.Column)).ToArray(),
            result.Problems.Select(p => (p.Location.Line, p.Location.Column)).ToArray());
    }

    [Theory]
    [InlineData("version: 1\nmodels:\n  - name: m\n   artifact: x\n", "the file is not valid YAML: the indentation is wrong here", 4, 4)]
    [InlineData("version: 1\nmodels: [a, b\n", "the file is not valid YAML: a '[...]' list is not closed", 3, 1)]
    [InlineData("version: \"1\nmodels: []\n", "the file is not valid YAML: a quoted value is not closed", 1, 10)]
    [InlineData("version: 1\nmodels:\n  - name: a\n  artifact: b\n", "the file is not valid YAML: the indentation is wrong here", 4, 3)]
    public void Malformed_yaml_is_reported_at_the_parser_position(string yaml, string fragment, int line, int column)
    {
        AssertSingleProblem(Parse(yaml), fragment, line, column);
    }

    [Fact]
    public void Pathological_nesting_is_a_problem_not_a_crash()
    {
        var yaml = "version: 1\nmodels: " + new string('[', 10_000) + new string(']', 10_000) + "\n";

        AssertSingleProblem(Parse(yaml), "the file nests lists and mappings more than 64 levels deep", 2, 72);
    }

    [Fact]
    public void Undefined_alias()
    {
        var result = Parse(Header + "  - name: m\n    artifact: *nowhere\n    framework: pytorch\n    dropout: { convention: inverted }\n");

        AssertProblem(result, "the alias '*nowhere' refers to no anchor defined before it", 4, 15);
    }

    [Fact]
    public void A_second_document_is_refused()
    {
        var result = Parse(Header + MinimalModel + "\n---\nversion: 1\n");

        AssertSingleProblem(result, "the file holds more than one YAML document", 8, 1);
    }

    [Fact]
    public void Missing_manifest_file_is_a_problem_not_an_exception()
    {
        var path = workspace.PathOf("absent/mlopsgate.yml");

        var result = ManifestLoader.Load(path);

        var problem = AssertSingleProblem(result, $"manifest file '{path}' was not found; create it", 1, 1);
        Assert.Contains("--manifest FILE", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_given_as_manifest_is_a_problem()
    {
        var result = ManifestLoader.Load(workspace.Root);

        AssertSingleProblem(result, "is a folder, not a manifest file", 1, 1);
    }

    [Fact]
    public void A_missing_workspace_override_is_a_problem()
    {
        var manifest = workspace.Write("mlopsgate.yml", Header + MinimalModel);

        var result = ManifestLoader.Load(manifest, workspace.PathOf("no-such-folder"));

        AssertSingleProblem(result, "the workspace folder", 1, 1);
    }
}
