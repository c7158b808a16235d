using System.Text.Json.Serialization;

namespace MLOpsGate.Core.Rules;

public enum Severity
{
    [JsonStringEnumMemberName("note")]
    Note,
    [JsonStringEnumMemberName("warning")]
    Warning,
    [JsonStringEnumMemberName("error")]
    Error,
}

/// <summary>One rule of the catalogue: the single source for `explain`, SARIF rule help and the README table.</summary>
public sealed record RuleDescriptor(
    string Id,
    string Kind,
    Severity DefaultSeverity,
    string Title,
    string Description,
    string WhyItMatters,
    string Example,
    string HowToFix)
{
    public string HelpUri => $"{RuleCatalog.HelpBaseUri}#{Id.ToLowerInvariant()}";
}

public static class RuleCatalog
{
    public const string HelpBaseUri = "https://github.com/mlopsgate/mlopsgate/blob/main/docs/rules.md";

    public static RuleDescriptor ManifestInvalid { get; } = new(
        "MLG001", "manifest-invalid", Severity.Error,
        "The manifest breaks the schema",
        "An unknown key, a wrong type, a missing required key, both `rate` and `keep`, or a path that leaves the workspace.",
        "The gate cannot check what it cannot read; it fails closed instead of guessing.",
        "`artefact: models/a.onnx` (did you mean `artifact`?)",
        "Edit the key the message points at; `mlopsgate schema` prints the JSON Schema for editor validation.");

    public static RuleDescriptor ArtifactUnreadable { get; } = new(
        "MLG002", "artifact-unreadable", Severity.Error,
        "A file named by the manifest cannot be used",
        "A model, calibration or reference file is missing, unreadable, not a valid ONNX model or array file, or its data does not fit the model.",
        "Without the file the check cannot run, and a gate that cannot run must not pass.",
        "`inputs: data/x.npy` holds float rows of 63 values but the model input expects 64.",
        "Fix the path, regenerate the file, or convert the data to the model's input shape and type.");

    public static RuleDescriptor MissingDropoutScaling { get; } = new(
        "MLG003", "missing-dropout-scaling", Severity.Error,
        "Standard-dropout model exported without the keep factor",
        "The model was trained with standard dropout (no rescaling during training), so the exported model must multiply the dropped activations (or the consuming weights) by keep = 1 - p. The consuming layer's output is about 1/keep times the reference.",
        "At inference every unit fires, so the next layer sees 1/keep times the signal it was trained on: tanh/sigmoid units saturate and ReLU logits grow, while argmax accuracy can still look fine.",
        "Site `fc2.weight`, p = 0.5: the layer output is 2.00x the reference.",
        "Multiply the consuming initializer by keep (or insert `Mul(keep)` after the dropped tensor): `mlopsgate fix --manifest mlopsgate.yml --model NAME --output fixed.onnx`.");

    public static RuleDescriptor DoubleDropoutScaling { get; } = new(
        "MLG004", "double-dropout-scaling", Severity.Error,
        "Keep factor applied to a model that does not need it",
        "An inverted-dropout model (already rescaled during training), or a standard model that was already compensated, got multiplied by keep again: the consuming layer's output is about keep times the reference.",
        "Activations shrink to keep times their trained size; the model underreacts and calibration drifts.",
        "Keras model, p = 0.5, someone multiplied the second kernel by 0.5: the layer output is 0.50x the reference.",
        "Remove the extra `Mul(keep)` or divide the consuming initializer by keep.");

    public static RuleDescriptor TrainModeDropout { get; } = new(
        "MLG005", "train-mode-dropout", Severity.Error,
        "Dropout is active at inference",
        "A Dropout node drops units at run time (`is_test = 0` before opset 7, `training_mode = true` from opset 12), or the same input gives different outputs.",
        "Predictions become random and run-to-run different; some runtimes silently remove the node, so results depend on the runtime.",
        "`torch.onnx.export(..., training=TrainingMode.TRAINING)` keeps `Dropout(x, 0.5, training_mode=true)`.",
        "Re-export in eval mode (`model.eval()` before `torch.onnx.export`), or run `mlopsgate fix` to disable the node.");

    public static RuleDescriptor DropoutRateMismatch { get; } = new(
        "MLG006", "dropout-rate-mismatch", Severity.Warning,
        "Dropout ratio in the graph differs from the declared rate",
        "A Dropout node at a declared site carries a `ratio` different from the manifest's rate.",
        "Either the manifest or the export is wrong; the keep factor the gate expects depends on it.",
        "Declared `rate: 0.5`, graph `ratio = 0.3`.",
        "Correct the manifest's `rate`/`keep`, or re-export with the intended rate.");

    public static RuleDescriptor OutputMismatch { get; } = new(
        "MLG007", "output-mismatch", Severity.Error,
        "Outputs or a site's scale differ and no dropout fault explains it",
        "Outputs differ from the reference beyond tolerance with no dropout fault to explain it, or a site's measured scale matches no candidate for its rate (possibly another rate's), or two kinds of evidence disagree.",
        "The export is wrong in a way the manifest does not account for; shipping it ships wrong predictions.",
        "Site declared p = 0.2 measures 0.625x: that is what compensating for p = 0.5 gives.",
        "Check the declared rate and convention; re-export; compare the reference's preprocessing with the calibration inputs.");

    public static RuleDescriptor ActivationSaturation { get; } = new(
        "MLG008", "activation-saturation", Severity.Warning,
        "More tanh/sigmoid units saturate than in the reference",
        "The fraction of saturated units (|tanh| > 0.99, sigmoid < 0.01 or > 0.99) downstream of a site rose by more than `saturation.max_increase`.",
        "Saturated units pass no gradient of information: outputs collapse towards extremes.",
        "Saturated fraction 0.41 vs 0.07 in the reference.",
        "Fix the site's scaling (see MLG003/MLG004).");

    public static RuleDescriptor NonFiniteOutput { get; } = new(
        "MLG009", "non-finite-output", Severity.Error,
        "NaN or infinity in an output",
        "An output element is NaN or infinite on the calibration inputs.",
        "Downstream code will propagate or crash on non-finite values.",
        "Output `logits` holds 12 NaN values.",
        "Check the scaling of the sites upstream, and the calibration inputs' range and preprocessing.");

    public static RuleDescriptor ConventionNote { get; } = new(
        "MLG010", "convention-note", Severity.Note,
        "Declared convention differs from the framework's default",
        "The declared dropout convention is not the default of the declared framework (allowed: Paddle `downscale_in_infer`, Torch7 `v1`, custom loops).",
        "A typo in `convention` changes what the gate expects; the note keeps it visible.",
        "`framework: paddle`, `convention: standard` (Paddle's default is inverted).",
        "Nothing, if intended; otherwise correct `convention`.");

    public static RuleDescriptor SiteNotFound { get; } = new(
        "MLG011", "site-not-found", Severity.Error,
        "A declared site is not in the graph",
        "`input_of` names no weight initializer of a MatMul/Gemm/Conv, or `tensor` names no tensor of the graph, or no such layer consumes it.",
        "A site that cannot be located cannot be checked; the gate fails closed.",
        "`input_of: fc2.weights` (the graph has `fc2.weight`).",
        "Use one of the suggested names; `mlopsgate init --artifact MODEL` lists the candidates.");

    public static RuleDescriptor FrameworkMismatch { get; } = new(
        "MLG012", "framework-mismatch", Severity.Warning,
        "The model's producer contradicts the declared framework",
        "The ONNX `producer_name` belongs to another framework than the manifest declares.",
        "The framework decides the default convention; the wrong one suggests the wrong manifest entry or artifact.",
        "`framework: keras` but the producer is `pytorch`.",
        "Correct `framework`, or check that `artifact` is the right file.");

    public static RuleDescriptor KeepRateSwapped { get; } = new(
        "MLG013", "keep-rate-swapped", Severity.Error,
        "The drop rate was used where the keep probability belongs",
        "A site's scale is about p/keep: the engine or exporter multiplied by p instead of keep = 1 - p.",
        "Activations are scaled by the wrong factor (0.25x at p = 0.2). At p = 0.5 the two coincide and the mistake is invisible.",
        "Standard dropout p = 0.2 compensated with 0.2: the layer output is 0.25x the reference.",
        "Multiply by keep = 1 - p, not p; TF1 `keep_prob` and DL4J `dropOut(x)` take the KEEP probability.");

    public static RuleDescriptor StochasticOp { get; } = new(
        "MLG014", "stochastic-op", Severity.Warning,
        "Random ops or Dropout masks in the inference graph",
        "Random ops (RandomUniform*, RandomNormal*, Bernoulli, Multinomial) remain, a Dropout `mask` output is consumed or is a graph output, a legacy Dropout has no `is_test` (mode undefined), or `training_mode` is a graph input.",
        "Runtimes disagree on what these compute at inference (ONNX Runtime fills opset 7-11 masks with zeros, the specification says ones).",
        "`Dropout` with its `mask` as a graph output.",
        "Re-export in eval mode without the mask, or remove the random ops; `mlopsgate fix` replaces a used mask with a constant.");

    public static RuleDescriptor RuntimeDependentResult { get; } = new(
        "MLG015", "runtime-dependent-result", Severity.Error,
        "Outputs depend on ONNX Runtime's optimization level",
        "The graph holds Dropout or random nodes and its outputs with the default optimizations differ from those with optimizations disabled.",
        "ONNX Runtime's optimizer deletes a Dropout whose mask is unused without reading `training_mode`: a training-mode export looks deterministic in one runtime and random in another.",
        "`Dropout(x, 0.5, training_mode=true)`: default level identity, disabled level drops half the units.",
        "Re-export in eval mode so no runtime-dependent node is left.");

    public static RuleDescriptor ScalingUnverified { get; } = new(
        "MLG016", "scaling-unverified", Severity.Error,
        "Nothing lets the gate verify a site's scale",
        "No reference outputs, reference activations, checkpoint or visible compensating node covers the site. Error for standard convention (it never passes this way), warning for inverted.",
        "A standard-dropout export is wrong by default unless something proves the keep factor is there.",
        "Standard model with `compensation: weights`, no `expect` and no calibration.",
        "Add `calibration` with `expect.outputs` or `expect.activations`, or `expect.checkpoint`.");

    public static RuleDescriptor ActiveDropoutRemoved { get; } = new(
        "MLG017", "active-dropout-removed", Severity.Warning,
        "A Dropout meant to stay active is removed by the optimizer",
        "A site declared `active_at_inference: true` is deleted by ONNX Runtime's default graph optimizer, so in production it is not active.",
        "MC dropout or a Tacotron-style prenet silently becomes deterministic, changing the model's behaviour.",
        "Prenet Dropout 0.5 declared active; with default optimizations the node is gone.",
        "Run with graph optimizations disabled for that model, or implement the dropout with explicit random ops.");

    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        ManifestInvalid, ArtifactUnreadable, MissingDropoutScaling, DoubleDropoutScaling, TrainModeDropout,
        DropoutRateMismatch, OutputMismatch, ActivationSaturation, NonFiniteOutput, ConventionNote, SiteNotFound,
        FrameworkMismatch, KeepRateSwapped, StochasticOp, RuntimeDependentResult, ScalingUnverified, ActiveDropoutRemoved,
    ];

    /// <summary>A rule by id (MLG003) or kind (missing-dropout-scaling), case-insensitive.</summary>
    public static RuleDescriptor? Find(string idOrKind) =>
        All.FirstOrDefault(r => string.Equals(r.Id, idOrKind, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Kind, idOrKind, StringComparison.OrdinalIgnoreCase));
}
