using System.Globalization;
using System.Security;
using System.Text;
using static MLOpsGate.Core.Manifest.ManifestKeys;

namespace MLOpsGate.Core.Manifest;

/// <summary>Checks a YAML tree against manifest v1 and builds the model specs, collecting every problem
/// (it never stops at the first). Each problem points at the offending key, or at the parent key of a
/// missing one.</summary>
internal sealed class ManifestValidator(string manifestDirectory, string workspaceRoot)
{
    internal static readonly string[] FrameworkValues =
        ["pytorch", "tensorflow", "keras", "jax", "paddle", "mxnet", "caffe", "torch7", "dl4j", "numpy", "custom"];

    internal static readonly string[] ConventionValues = ["inverted", "standard"];

    internal static readonly string[] CompensationValues = ["weights", "node", "any"];

    internal static readonly string[] SeverityValues = ["error", "warning"];

    private const string ModelKeysHint = "name, artifact, framework and dropout";

    private readonly List<ManifestProblem> problems = [];

    private enum Expected { String, Number, Boolean, Mapping, List }

    public IReadOnlyList<ManifestProblem> Problems => problems;

    public GateSeverity DefaultSeverity { get; private set; } = GateSeverity.Error;

    public Tolerance DefaultTolerance { get; private set; } = Tolerance.Default;

    public List<ModelSpec> Validate(YamlNode? root)
    {
        var models = new List<ModelSpec>();
        if (root is null or YamlScalarNode { Kind: YamlScalarKind.Null })
        {
            Problem(
                "the manifest is empty; it needs 'version: 1' and a 'models' list " +
                "(run 'mlopsgate init --artifact MODEL.onnx' to draft one)",
                root?.Start ?? new SourceLocation(1, 1));
            return models;
        }

        if (root is not YamlMappingNode rootMap)
        {
            Problem(
                $"the manifest must be a mapping with the keys version, defaults and models at the top level, but it is {Describe(root)}",
                root.Start);
            return models;
        }

        var context = new Context(RootPath, "at the top level");
        var keys = ReadMapping(rootMap, context);

        if (keys.TryGetValue("version", out var version))
        {
            if (version.Value is YamlScalarNode { IsNumber: true } number)
            {
                if (number.NumberValue != 1)
                {
                    Problem(
                        $"'version' is {Short(number.Text)}, but only manifest version 1 is supported; set 'version: 1'",
                        version.Location);
                }
            }
            else
            {
                WrongType(version, context, "the number 1", Expected.Number);
            }
        }
        else
        {
            Missing("version", context, rootMap.Start, "add 'version: 1'");
        }

        if (keys.TryGetValue("defaults", out var defaults)
            && AsMapping(defaults, context, "a mapping of severity and tolerance") is { } defaultsMap)
        {
            var defaultsContext = new Context(DefaultsPath, "in 'defaults'");
            var defaultKeys = ReadMapping(defaultsMap, defaultsContext);
            if (defaultKeys.TryGetValue("severity", out var severity) && ReadEnum(severity, defaultsContext, SeverityValues) is { } s)
            {
                DefaultSeverity = (GateSeverity)s;
            }

            if (defaultKeys.TryGetValue("tolerance", out var tolerance))
            {
                DefaultTolerance = ReadTolerance(tolerance, defaultsContext, DefaultsTolerancePath, "in 'defaults.tolerance'", Tolerance.Default);
            }
        }

        if (!keys.TryGetValue("models", out var modelsEntry))
        {
            Missing("models", context, rootMap.Start, $"add a 'models:' list with at least one model ({ModelKeysHint})");
        }
        else if (AsList(modelsEntry, context, "a list of models") is { } list)
        {
            if (list.Items.Count == 0)
            {
                Problem($"'models' is empty; list at least one model ({ModelKeysHint})", modelsEntry.Location);
            }

            var names = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            for (var i = 0; i < list.Items.Count; i++)
            {
                if (ReadModel(list.Items[i], i + 1, names) is { } model)
                {
                    models.Add(model);
                }
            }
        }

        return models;
    }

    private ModelSpec? ReadModel(YamlNode node, int index, Dictionary<string, SourceLocation> names)
    {
        if (node is not YamlMappingNode map)
        {
            Problem(
                $"entry #{index} of 'models' must be a mapping with {ModelKeysHint}, but it is {Describe(node)}",
                node.Start);
            return null;
        }

        var nameEntry = map.Find("name");
        var label = nameEntry?.Value is YamlScalarNode { Kind: not YamlScalarKind.Null } nameScalar && nameScalar.Text.Length > 0
            ? $"model '{Short(nameScalar.Text)}'"
            : $"model #{index}";
        var anchor = nameEntry?.Location ?? map.Start;
        var context = new Context(ModelPath, "in " + label);
        var keys = ReadMapping(map, context);

        string? name = null;
        if (keys.TryGetValue("name", out var nameKey))
        {
            name = AsString(nameKey, context, "a string such as 'digits-mlp'");
            if (name is not null)
            {
                if (!IsValidName(name))
                {
                    Problem(
                        $"model name '{Short(name)}' is not allowed: use only letters, digits, '.', '_' and '-' (e.g. 'digits-mlp')",
                        nameKey.Location);
                    name = null;
                }
                else if (names.TryGetValue(name, out var first))
                {
                    Problem(
                        $"model name '{name}' is already used by the model at line {first.Line}; model names must be unique: rename one of them",
                        nameKey.Location);
                }
                else
                {
                    names[name] = nameKey.Location;
                }
            }
        }
        else
        {
            Missing("name", context, anchor, "add 'name: <model name>' (letters, digits, '.', '_' and '-')");
        }

        var severity = DefaultSeverity;
        SourceLocation? severityLocation = null;
        if (keys.TryGetValue("severity", out var severityKey))
        {
            severityLocation = severityKey.Location;
            if (ReadEnum(severityKey, context, SeverityValues) is { } s)
            {
                severity = (GateSeverity)s;
            }
        }

        ManifestFile? artifact = null;
        if (keys.TryGetValue("artifact", out var artifactKey))
        {
            artifact = ReadPath(artifactKey, context);
        }
        else
        {
            Missing("artifact", context, anchor, "add 'artifact: <path of the exported .onnx file, relative to the manifest>'");
        }

        Framework? framework = null;
        var frameworkLocation = anchor;
        if (keys.TryGetValue("framework", out var frameworkKey))
        {
            frameworkLocation = frameworkKey.Location;
            framework = (Framework?)ReadEnum(frameworkKey, context, FrameworkValues);
        }
        else
        {
            Missing("framework", context, anchor, $"add 'framework: <{string.Join(" | ", FrameworkValues)}>' (the framework the model was trained in)");
        }

        var dropout = ReadDropout(keys, context, label, anchor);

        var calibrationDeclared = keys.TryGetValue("calibration", out var calibrationKey);
        CalibrationSpec? calibration = null;
        if (calibrationKey is not null)
        {
            calibration = ReadCalibration(calibrationKey, context, label);
        }

        var expect = keys.TryGetValue("expect", out var expectKey)
            ? ReadExpect(expectKey, context, label, calibrationDeclared)
            : new ExpectSpec(null, null, null, DefaultTolerance, ExpectSpec.DefaultDeterministic, null);

        if (name is null || artifact is null || framework is null || dropout is null || expect is null
            || (calibrationDeclared && calibration is null))
        {
            return null;
        }

        return new ModelSpec(
            name,
            nameKey!.Location,
            severity,
            artifact,
            framework.Value,
            frameworkLocation,
            dropout.Convention,
            dropout.ConventionLocation,
            dropout.Compensation,
            dropout.Sites,
            calibration,
            expect)
        {
            SeverityLocation = severityLocation,
            DropoutLocation = dropout.Location,
            SitesLocation = dropout.SitesLocation,
            CompensationLocation = dropout.CompensationLocation,
        };
    }

    private DropoutParts? ReadDropout(Dictionary<string, YamlEntry> keys, Context modelContext, string label, SourceLocation anchor)
    {
        if (!keys.TryGetValue("dropout", out var dropoutKey))
        {
            Missing(
                "dropout",
                modelContext,
                anchor,
                "add a 'dropout:' mapping with 'convention: inverted' or 'convention: standard' and the dropout 'sites'");
            return null;
        }

        if (AsMapping(dropoutKey, modelContext, "a mapping of convention, sites and compensation") is not { } map)
        {
            return null;
        }

        var context = new Context(DropoutPath, $"in 'dropout' of {label}");
        var keys2 = ReadMapping(map, context);
        var valid = true;

        DropoutConvention? convention = null;
        var conventionLocation = dropoutKey.Location;
        if (keys2.TryGetValue("convention", out var conventionKey))
        {
            conventionLocation = conventionKey.Location;
            convention = (DropoutConvention?)ReadEnum(conventionKey, context, ConventionValues);
        }
        else
        {
            Missing(
                "convention",
                context,
                dropoutKey.Location,
                "add 'convention: inverted' (scaled by 1/keep during training: PyTorch, TensorFlow, Keras, ...) or 'convention: standard' (scaled by keep at inference)");
        }

        var sites = new List<SiteSpec>();
        var sitesDeclared = keys2.TryGetValue("sites", out var sitesKey);
        var siteCount = 0;
        if (sitesKey is not null)
        {
            if (AsList(sitesKey, context, "a list of sites, each '{ input_of: <initializer>, rate: <p> }' or '{ tensor: <tensor>, keep: <keep> }'") is { } list)
            {
                siteCount = list.Items.Count;
                var ids = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
                for (var j = 0; j < list.Items.Count; j++)
                {
                    if (ReadSite(list.Items[j], j + 1, label, ids) is { } site)
                    {
                        sites.Add(site);
                    }
                    else
                    {
                        valid = false;
                    }
                }
            }
            else
            {
                valid = false;
            }
        }

        var compensation = CompensationPlace.Any;
        SourceLocation? compensationLocation = null;
        if (keys2.TryGetValue("compensation", out var compensationKey))
        {
            compensationLocation = compensationKey.Location;
            switch (ReadEnum(compensationKey, context, CompensationValues))
            {
                case 0:
                    compensation = CompensationPlace.Weights;
                    break;
                case 1:
                    compensation = CompensationPlace.Node;
                    break;
                case 2:
                    compensation = CompensationPlace.Any;
                    break;
                default:
                    valid = false;
                    break;
            }

            if (convention == DropoutConvention.Inverted)
            {
                Problem(
                    $"'compensation' in 'dropout' of {label} applies only to 'convention: standard'; " +
                    "an inverted-dropout export carries no compensation: remove 'compensation' (or correct the convention)",
                    compensationKey.Location);
            }
        }

        if (convention == DropoutConvention.Standard && siteCount == 0 && (!sitesDeclared || sitesKey!.Value is YamlSequenceNode))
        {
            Problem(
                $"{label} declares 'convention: standard' but lists no dropout sites; with standard dropout the export must carry the keep factor " +
                "at every site, and the gate can only check declared sites: list them under 'dropout.sites' ('input_of:' or 'tensor:', with 'rate:' or 'keep:')",
                sitesKey?.Location ?? dropoutKey.Location);
        }

        if (convention is null || !valid)
        {
            return null;
        }

        return new DropoutParts(convention.Value, conventionLocation, sites, compensation, dropoutKey.Location, sitesKey?.Location, compensationLocation);
    }

    private SiteSpec? ReadSite(YamlNode node, int index, string label, Dictionary<string, SourceLocation> ids)
    {
        if (node is not YamlMappingNode map)
        {
            Problem(
                $"site #{index} in 'dropout.sites' of {label} must be a mapping such as '{{ input_of: fc2.weight, rate: 0.5 }}', but it is {Describe(node)}",
                node.Start);
            return null;
        }

        var idEntry = map.Find("input_of") ?? map.Find("tensor");
        var siteLabel = idEntry?.Value is YamlScalarNode { Kind: YamlScalarKind.String } idScalar && idScalar.Text.Length > 0
            ? $"site '{Short(idScalar.Text)}'"
            : $"site #{index}";
        var context = new Context(SitePath, $"in {siteLabel} of {label}");
        var keys = ReadMapping(map, context);
        var valid = true;

        keys.TryGetValue("input_of", out var inputOf);
        keys.TryGetValue("tensor", out var tensor);
        YamlEntry? idKey;
        if (inputOf is not null && tensor is not null)
        {
            var (earlier, later) = Order(inputOf, tensor);
            Problem(
                $"{siteLabel} of {label} has both 'input_of' and 'tensor'; a site names exactly one place: keep one of them",
                later.Location);
            idKey = earlier;
            valid = false;
        }
        else
        {
            idKey = inputOf ?? tensor;
            if (idKey is null)
            {
                Problem(
                    $"{siteLabel} of {label} names no place; add 'input_of: <weight initializer of the layer that consumes the dropped activations>' " +
                    "or 'tensor: <name of the dropped tensor>'",
                    map.Start);
                valid = false;
            }
        }

        string? id = null;
        if (idKey is not null)
        {
            id = AsString(idKey, context, "a string (an initializer or tensor name of the graph)");
            if (id is not null && id.Length == 0)
            {
                Problem($"'{idKey.Name}' {context.Where} is empty; give the initializer or tensor name", idKey.Location);
                id = null;
            }
            else if (id is not null && ids.TryGetValue(id, out var first))
            {
                Problem(
                    $"site '{Short(id)}' is declared twice in {label} (first at line {first.Line}); declare each site once",
                    idKey.Location);
                valid = false;
            }
            else if (id is not null)
            {
                ids[id] = idKey.Location;
            }
        }

        keys.TryGetValue("rate", out var rateKey);
        keys.TryGetValue("keep", out var keepKey);
        YamlEntry? probabilityKey;
        if (rateKey is not null && keepKey is not null)
        {
            var (earlier, later) = Order(rateKey, keepKey);
            Problem(
                $"{siteLabel} of {label} has both 'rate' and 'keep'; give exactly one of them: 'rate' is the drop probability p, 'keep' is 1 - p",
                later.Location);
            probabilityKey = earlier;
            valid = false;
        }
        else
        {
            probabilityKey = rateKey ?? keepKey;
            if (probabilityKey is null)
            {
                Problem(
                    $"{siteLabel} of {label} has no 'rate' or 'keep'; add 'rate: <drop probability p>' or 'keep: <keep probability 1 - p>'",
                    idKey?.Location ?? map.Start);
                valid = false;
            }
        }

        double? rate = null;
        if (probabilityKey is not null)
        {
            var isKeep = probabilityKey.Name == "keep";
            var value = AsNumber(probabilityKey, context, "a number greater than 0 and less than 1");
            if (value is { } p)
            {
                if (!(p > 0 && p < 1))
                {
                    Problem(
                        $"'{probabilityKey.Name}' {context.Where} is {Short(((YamlScalarNode)probabilityKey.Value).Text)}; " +
                        $"a {(isKeep ? "keep" : "drop")} probability must be greater than 0 and less than 1{ProbabilityHint(p, isKeep)}",
                        probabilityKey.Location);
                }
                else
                {
                    var r = isKeep ? 1.0 - p : p;
                    if (r > 0 && r < 1)
                    {
                        rate = r;
                    }
                    else
                    {
                        Problem(
                            $"'{probabilityKey.Name}' {context.Where} is so close to 0 that 1 - keep rounds to 1; give 'rate:' instead",
                            probabilityKey.Location);
                    }
                }
            }
        }

        var active = false;
        SourceLocation? activeLocation = null;
        if (keys.TryGetValue("active_at_inference", out var activeKey))
        {
            activeLocation = activeKey.Location;
            if (AsBoolean(activeKey, context) is { } b)
            {
                active = b;
            }
            else
            {
                valid = false;
            }
        }

        if (!valid || id is null || rate is null || idKey is null)
        {
            return null;
        }

        return new SiteSpec(idKey.Name == "input_of" ? SiteKind.InputOf : SiteKind.Tensor, id, idKey.Location, rate.Value, active)
        {
            DeclaredAsKeep = probabilityKey!.Name == "keep",
            RateLocation = probabilityKey.Location,
            ActiveAtInferenceLocation = activeLocation,
        };
    }

    private static string ProbabilityHint(double value, bool isKeep)
    {
        if (value == 0)
        {
            return isKeep ? " (a keep probability of 0 drops everything)" : " (a rate of 0 means no dropout: remove the site)";
        }

        if (value == 1)
        {
            return isKeep ? " (a keep probability of 1 means no dropout: remove the site)" : " (a rate of 1 drops everything)";
        }

        if (value > 1 && value < 100)
        {
            return string.Create(CultureInfo.InvariantCulture, $" (for {value} % write {value / 100})");
        }

        return string.Empty;
    }

    private CalibrationSpec? ReadCalibration(YamlEntry calibrationKey, Context modelContext, string label)
    {
        if (AsMapping(calibrationKey, modelContext, "a mapping of inputs, batch_size and limit") is not { } map)
        {
            return null;
        }

        var context = new Context(CalibrationPath, $"in 'calibration' of {label}");
        var keys = ReadMapping(map, context);
        var valid = true;

        ManifestFile? inputs = null;
        if (keys.TryGetValue("inputs", out var inputsKey))
        {
            inputs = ReadPath(inputsKey, context);
        }
        else
        {
            Missing("inputs", context, calibrationKey.Location, "add 'inputs: <.npy, .npz or .json file of calibration samples>'");
        }

        var batchSize = CalibrationSpec.DefaultBatchSize;
        if (keys.TryGetValue("batch_size", out var batchKey))
        {
            if (ReadPositiveInteger(batchKey, context, int.MaxValue, "64") is { } b)
            {
                batchSize = (int)b;
            }
            else
            {
                valid = false;
            }
        }

        long? limit = null;
        if (keys.TryGetValue("limit", out var limitKey))
        {
            limit = ReadPositiveInteger(limitKey, context, long.MaxValue, "1024");
            valid &= limit is not null;
        }

        return inputs is null || !valid ? null : new CalibrationSpec(inputs, batchSize, limit) { Location = calibrationKey.Location };
    }

    private ExpectSpec? ReadExpect(YamlEntry expectKey, Context modelContext, string label, bool calibrationDeclared)
    {
        if (AsMapping(expectKey, modelContext, "a mapping of outputs, tolerance, activations, checkpoint, deterministic and saturation") is not { } map)
        {
            return null;
        }

        var context = new Context(ExpectPath, $"in 'expect' of {label}");
        var keys = ReadMapping(map, context);
        var valid = true;

        ManifestFile? ReadFile(string key, bool needsCalibration)
        {
            if (!keys.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (needsCalibration && !calibrationDeclared)
            {
                Problem(
                    $"'{key}' in 'expect' of {label} needs 'calibration': without calibration inputs there is nothing to run the model on; " +
                    $"add 'calibration: {{ inputs: <file> }}' to the model or remove '{key}'",
                    entry.Location);
                valid = false;
            }

            var file = ReadPath(entry, context);
            valid &= file is not null;
            return file;
        }

        var outputs = ReadFile("outputs", needsCalibration: true);
        var activations = ReadFile("activations", needsCalibration: true);
        var checkpoint = ReadFile("checkpoint", needsCalibration: false);

        var tolerance = DefaultTolerance;
        SourceLocation? toleranceLocation = null;
        if (keys.TryGetValue("tolerance", out var toleranceKey))
        {
            toleranceLocation = toleranceKey.Location;
            tolerance = ReadTolerance(toleranceKey, context, ExpectTolerancePath, $"in 'expect.tolerance' of {label}", DefaultTolerance);
        }

        var deterministic = ExpectSpec.DefaultDeterministic;
        SourceLocation? deterministicLocation = null;
        if (keys.TryGetValue("deterministic", out var deterministicKey))
        {
            deterministicLocation = deterministicKey.Location;
            if (AsBoolean(deterministicKey, context) is { } d)
            {
                deterministic = d;
            }
            else
            {
                valid = false;
            }
        }

        double? maxIncrease = null;
        SourceLocation? saturationLocation = null;
        if (keys.TryGetValue("saturation", out var saturationKey))
        {
            saturationLocation = saturationKey.Location;
            if (AsMapping(saturationKey, context, "a mapping with max_increase, e.g. { max_increase: 0.05 }") is { } saturationMap)
            {
                var saturationContext = new Context(SaturationPath, $"in 'expect.saturation' of {label}");
                var saturationKeys = ReadMapping(saturationMap, saturationContext);
                if (saturationKeys.TryGetValue("max_increase", out var increaseKey))
                {
                    if (AsNumber(increaseKey, saturationContext, "a number from 0 to 1 (a fraction of units)") is { } increase)
                    {
                        if (increase is >= 0 and <= 1)
                        {
                            maxIncrease = increase;
                        }
                        else
                        {
                            Problem(
                                $"'max_increase' {saturationContext.Where} is {Short(((YamlScalarNode)increaseKey.Value).Text)}; it is a fraction of units and must be from 0 to 1 (e.g. 0.05)",
                                increaseKey.Location);
                        }
                    }
                }
                else
                {
                    Missing("max_increase", saturationContext, saturationKey.Location, "add 'max_increase: <allowed rise in the fraction of saturated units, e.g. 0.05>'");
                }
            }

            valid &= maxIncrease is not null;
        }

        if (!valid)
        {
            return null;
        }

        return new ExpectSpec(outputs, activations, checkpoint, tolerance, deterministic, maxIncrease)
        {
            Location = expectKey.Location,
            ToleranceLocation = toleranceLocation,
            DeterministicLocation = deterministicLocation,
            SaturationLocation = saturationLocation,
        };
    }

    private Tolerance ReadTolerance(YamlEntry toleranceKey, Context parentContext, string mappingPath, string where, Tolerance basis)
    {
        if (AsMapping(toleranceKey, parentContext, "a mapping of rtol and atol, e.g. { rtol: 1.0e-3, atol: 1.0e-5 }") is not { } map)
        {
            return basis;
        }

        var context = new Context(mappingPath, where);
        var keys = ReadMapping(map, context);
        var rtol = basis.Rtol;
        var atol = basis.Atol;
        if (keys.TryGetValue("rtol", out var rtolKey) && ReadNonNegative(rtolKey, context) is { } r)
        {
            rtol = r;
        }

        if (keys.TryGetValue("atol", out var atolKey) && ReadNonNegative(atolKey, context) is { } a)
        {
            atol = a;
        }

        return new Tolerance(rtol, atol);
    }

    private double? ReadNonNegative(YamlEntry entry, Context context)
    {
        if (AsNumber(entry, context, "a non-negative number") is not { } value)
        {
            return null;
        }

        if (!double.IsFinite(value) || value < 0)
        {
            Problem(
                $"'{entry.Name}' {context.Where} is {Short(((YamlScalarNode)entry.Value).Text)}; a tolerance must be a finite number of 0 or more (e.g. 1.0e-3)",
                entry.Location);
            return null;
        }

        return value;
    }

    private long? ReadPositiveInteger(YamlEntry entry, Context context, long maximum, string example)
    {
        var expected = $"a positive integer (e.g. {example})";
        if (entry.Value is not YamlScalarNode { IsNumber: true } scalar)
        {
            WrongType(entry, context, expected, Expected.Number);
            return null;
        }

        var value = scalar.NumberValue;
        if (!double.IsFinite(value) || Math.Floor(value) != value || value < 1 || value > maximum)
        {
            var reason = value > maximum && double.IsFinite(value) && Math.Floor(value) == value ? " (too large)" : string.Empty;
            Problem($"'{entry.Name}' {context.Where} is {Short(scalar.Text)}{reason}; it must be {expected}", entry.Location);
            return null;
        }

        return (long)value;
    }

    private ManifestFile? ReadPath(YamlEntry entry, Context context)
    {
        var text = AsString(entry, context, "a path (a string), relative to the manifest's folder");
        if (text is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Problem($"'{entry.Name}' {context.Where} is empty; give the path of the file, relative to the manifest's folder", entry.Location);
            return null;
        }

        var display = Short(text.Replace('\\', '/'));
        ConfinedPath resolved;
        try
        {
            resolved = WorkspacePaths.Resolve(text, manifestDirectory, workspaceRoot);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or IOException or SecurityException or UnauthorizedAccessException)
        {
            Problem($"'{entry.Name}' {context.Where} is not a usable path ('{display}'); write a plain relative path such as 'models/model.onnx'", entry.Location);
            return null;
        }

        if (resolved.Escape == PathEscape.SymbolicLinkLoop)
        {
            Problem(
                $"'{entry.Name}' {context.Where} ('{display}') goes through a loop of symbolic links and cannot be resolved; fix the links or name the file directly",
                entry.Location);
            return null;
        }

        if (!resolved.IsInside)
        {
            var how = resolved.Escape switch
            {
                PathEscape.ParentTraversal => "climbs out of the workspace with '..'",
                PathEscape.AbsolutePath => "is an absolute path outside the workspace",
                PathEscape.SymbolicLink when resolved.Link is not null => $"goes through the symbolic link '{Short(resolved.Link)}', which leads outside the workspace",
                PathEscape.SymbolicLink => "goes through a symbolic link that leads outside the workspace",
                _ => "resolves to a place outside the workspace (the manifest's folder is outside it)",
            };
            Problem(
                $"'{entry.Name}' {context.Where} points outside the workspace: '{display}' {how}; every path in the manifest must be inside the workspace " +
                "(the repository root, or the folder given by --workspace): move the file into the workspace or correct the path",
                entry.Location);
            return null;
        }

        return new ManifestFile(entry.Name, text, resolved.FullPath, entry.Location)
        {
            WorkspaceRelativePath = WorkspacePaths.ToWorkspaceRelative(resolved.FullPath, Path.GetFullPath(workspaceRoot)),
        };
    }

    private int? ReadEnum(YamlEntry entry, Context context, string[] values)
    {
        var allowed = string.Join(", ", values);
        if (entry.Value is not YamlScalarNode { Kind: YamlScalarKind.String } scalar)
        {
            WrongType(entry, context, "one of " + allowed, Expected.String);
            return null;
        }

        var index = Array.IndexOf(values, scalar.Text);
        if (index >= 0)
        {
            return index;
        }

        var suggestion = SuggestValue(scalar.Text, values);
        Problem(
            suggestion is null
                ? $"'{entry.Name}' {context.Where} has the unknown value '{Short(scalar.Text)}'; allowed values: {allowed}"
                : $"'{entry.Name}' {context.Where} has the unknown value '{Short(scalar.Text)}'; did you mean '{suggestion}'? Allowed values: {allowed}",
            entry.Location);
        return null;
    }

    private Dictionary<string, YamlEntry> ReadMapping(YamlMappingNode map, Context context)
    {
        var keys = new Dictionary<string, YamlEntry>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (IsAllowed(context.MappingPath, entry.Name))
            {
                keys[entry.Name] = entry;
                continue;
            }

            var suggestion = Suggest(context.MappingPath, entry.Name);
            var allowed = string.Join(", ", ManifestKeys.Keys[context.MappingPath]);
            Problem(
                suggestion is null
                    ? $"unknown key '{Short(entry.Name)}' {context.Where}; remove it or use one of the allowed keys: {allowed}"
                    : $"unknown key '{Short(entry.Name)}' {context.Where}; did you mean '{suggestion}'? Allowed keys: {allowed}",
                entry.Location);
        }

        foreach (var duplicate in map.Duplicates)
        {
            var first = map.Find(duplicate.Name)!;
            Problem(
                $"duplicate key '{Short(duplicate.Name)}' {context.Where}: it is already given at line {first.Location.Line}; keep only one of them",
                duplicate.Location);
        }

        return keys;
    }

    private YamlMappingNode? AsMapping(YamlEntry entry, Context context, string expected)
    {
        if (entry.Value is YamlMappingNode map)
        {
            return map;
        }

        WrongType(entry, context, expected, Expected.Mapping);
        return null;
    }

    private YamlSequenceNode? AsList(YamlEntry entry, Context context, string expected)
    {
        if (entry.Value is YamlSequenceNode list)
        {
            return list;
        }

        WrongType(entry, context, expected, Expected.List);
        return null;
    }

    private string? AsString(YamlEntry entry, Context context, string expected)
    {
        if (entry.Value is YamlScalarNode { Kind: YamlScalarKind.String } scalar)
        {
            return scalar.Text;
        }

        WrongType(entry, context, expected, Expected.String);
        return null;
    }

    private double? AsNumber(YamlEntry entry, Context context, string expected)
    {
        if (entry.Value is YamlScalarNode { IsNumber: true } scalar)
        {
            return scalar.NumberValue;
        }

        WrongType(entry, context, expected, Expected.Number);
        return null;
    }

    private bool? AsBoolean(YamlEntry entry, Context context)
    {
        if (entry.Value is YamlScalarNode { Kind: YamlScalarKind.Boolean } scalar)
        {
            return scalar.BooleanValue;
        }

        WrongType(entry, context, "a boolean (true or false)", Expected.Boolean);
        return null;
    }

    private void WrongType(YamlEntry entry, Context context, string expected, Expected kind)
    {
        Problem($"'{entry.Name}' {context.Where} must be {expected}, but it is {Describe(entry.Value)}{Hint(entry, kind)}", entry.Location);
    }

    private static string Hint(YamlEntry entry, Expected kind)
    {
        if (entry.Value is not YamlScalarNode scalar)
        {
            return string.Empty;
        }

        if (scalar.Kind == YamlScalarKind.Null)
        {
            return "; give it a value or remove the key";
        }

        switch (kind)
        {
            case Expected.String when scalar.Kind is not YamlScalarKind.String:
                return $"; quote it if it is meant as text: {entry.Name}: \"{Short(scalar.Text)}\"";
            case Expected.Boolean when scalar.Kind == YamlScalarKind.String:
                var meant = scalar.Text.ToLowerInvariant() switch
                {
                    "yes" or "y" or "on" => "true",
                    "no" or "n" or "off" => "false",
                    _ => null,
                };
                return meant is null
                    ? "; write true or false"
                    : $"; YAML 1.2 reads '{scalar.Text}' as a string, not a boolean: write {meant}";
            case Expected.Number when scalar.Kind == YamlScalarKind.String && !scalar.Plain
                                      && YamlTreeReader.ResolvePlain(scalar.Text.Trim()).Kind is YamlScalarKind.Integer or YamlScalarKind.Float:
                return "; remove the quotes";
            default:
                return string.Empty;
        }
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Kind: YamlScalarKind.Null } => "empty",
        YamlScalarNode { Kind: YamlScalarKind.Boolean } s => $"the boolean {s.Text}",
        YamlScalarNode { IsNumber: true } s => $"the number {Short(s.Text)}",
        YamlScalarNode { Plain: true } s => $"the string '{Short(s.Text)}'",
        YamlScalarNode s => $"the quoted string '{Short(s.Text)}'",
        YamlMappingNode => "a mapping (key: value pairs)",
        YamlSequenceNode => "a list",
        _ => "a value of another kind",
    };

    private void Missing(string key, Context context, SourceLocation at, string fix) =>
        Problem($"missing required key '{key}' {context.Where}; {fix}", at);

    private void Problem(string message, SourceLocation location) => problems.Add(new ManifestProblem(message, location));

    private static (YamlEntry Earlier, YamlEntry Later) Order(YamlEntry a, YamlEntry b)
    {
        var aFirst = a.Location.Line < b.Location.Line || (a.Location.Line == b.Location.Line && a.Location.Column <= b.Location.Column);
        return aFirst ? (a, b) : (b, a);
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Makes a value safe and short enough to quote in a one-line message.</summary>
    internal static string Short(string text)
    {
        const int MaxLength = 80;
        var builder = new StringBuilder(Math.Min(text.Length, MaxLength + 1));
        foreach (var c in text)
        {
            if (builder.Length >= MaxLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString();
    }

    private sealed record Context(string MappingPath, string Where);

    private sealed record DropoutParts(
        DropoutConvention Convention,
        SourceLocation ConventionLocation,
        IReadOnlyList<SiteSpec> Sites,
        CompensationPlace Compensation,
        SourceLocation Location,
        SourceLocation? SitesLocation,
        SourceLocation? CompensationLocation);
}
