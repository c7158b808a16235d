using System.Globalization;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Checks;

/// <summary>Checks read from the graph and the manifest alone, without running the model.</summary>
public static class StaticChecks
{
    private static readonly Dictionary<string, Framework[]> ProducerFrameworks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pytorch"] = [Framework.Pytorch],
        ["tf2onnx"] = [Framework.Tensorflow, Framework.Keras, Framework.Jax],
        ["keras2onnx"] = [Framework.Keras, Framework.Tensorflow],
        ["paddle2onnx"] = [Framework.Paddle],
        ["skl2onnx"] = [Framework.Custom],
        ["onnxmltools"] = [Framework.Custom],
    };

    /// <summary>The framework's default dropout convention; null where there is none (hand-written code).</summary>
    public static DropoutConvention? DefaultConvention(Framework framework) =>
        framework is Framework.Numpy or Framework.Custom ? null : DropoutConvention.Inverted;

    /// <summary>The framework an ONNX producer name implies, if known.</summary>
    public static Framework? FrameworkOfProducer(string producer) =>
        ProducerFrameworks.TryGetValue(producer, out var frameworks) ? frameworks[0] : null;

    public static void CheckDeclarations(ModelSpec spec, OnnxModel model, FindingCollector findings)
    {
        var name = Lower(spec.Framework);
        if (ProducerFrameworks.TryGetValue(model.ProducerName, out var allowed) && !allowed.Contains(spec.Framework))
        {
            findings.Add(RuleCatalog.FrameworkMismatch,
                $"the model was produced by '{model.ProducerName}' {model.ProducerVersion}, which does not export {name} models (expected framework: {string.Join(" or ", allowed.Select(Lower))})",
                spec.FrameworkLocation,
                fix: $"set `framework: {Lower(allowed[0])}`, or check that `artifact` is the right file");
        }

        if (DefaultConvention(spec.Framework) is { } defaultConvention && defaultConvention != spec.Convention)
        {
            findings.Add(RuleCatalog.ConventionNote,
                $"declared convention '{Lower(spec.Convention)}' differs from {name}'s default '{Lower(defaultConvention)}'{ConventionHint(spec.Framework)}",
                spec.ConventionLocation,
                fix: "nothing, if intended; otherwise correct `convention`");
        }
    }

    public static void CheckDropoutNodes(
        ModelSpec spec, OnnxModel model, IReadOnlyList<DropoutNode> dropouts, IReadOnlyList<ResolvedSite> sites, FindingCollector findings)
    {
        foreach (var dropout in dropouts)
        {
            var site = SiteOf(dropout, sites);
            var location = site?.Spec.Location ?? spec.NameLocation;
            var nodeName = dropout.DisplayName;
            switch (dropout.Mode)
            {
                case DropoutMode.Active when site?.Spec.ActiveAtInference != true:
                    findings.Add(RuleCatalog.TrainModeDropout,
                        model.Opset < 7
                            ? $"Dropout node '{nodeName}' has is_test = 0: it drops {Percent(dropout.Ratio)} of its inputs at inference (opset {model.Opset})"
                            : $"Dropout node '{nodeName}' has training_mode = true: it drops {Percent(dropout.Ratio)} of its inputs at run time and rescales the rest",
                        location, site?.Spec.Id,
                        fix: $"re-export in eval mode (model.eval() before torch.onnx.export), or run: {findings.FixCommand}",
                        subject: nodeName);
                    break;
                case DropoutMode.Undefined:
                    findings.Add(RuleCatalog.StochasticOp,
                        $"legacy Dropout node '{nodeName}' (opset {model.Opset}) has no is_test attribute: mode undefined (the specification's default means training, runtimes treat it as identity)",
                        location, site?.Spec.Id, fix: "set is_test = 1, or convert the model to opset 7 or later with onnx.version_converter",
                        subject: nodeName + "#mode");
                    break;
                case DropoutMode.RuntimeInput:
                    findings.Add(RuleCatalog.StochasticOp,
                        $"Dropout node '{nodeName}' takes training_mode from graph input '{dropout.TrainingModeInput}': whether it drops is decided by the caller",
                        location, site?.Spec.Id, fix: "re-export in eval mode so training_mode is a constant false",
                        subject: nodeName + "#mode");
                    break;
            }

            if (dropout.MaskUsed)
            {
                var reason = model.Opset is >= 7 and < 12
                    ? "; ONNX Runtime fills an opset 7-11 mask with zeros at inference where the specification says ones, so its consumers compute something else"
                    : string.Empty;
                findings.Add(RuleCatalog.StochasticOp,
                    $"the mask output '{dropout.MaskOutput}' of Dropout node '{nodeName}' is {(model.GraphOutputNames.Contains(dropout.MaskOutput!) ? "a graph output" : "consumed by other nodes")}{reason}",
                    location, site?.Spec.Id, fix: "re-export without using the mask, or run mlopsgate fix to replace it with a constant",
                    subject: nodeName + "#mask");
            }

            if (site is not null && double.IsFinite(dropout.Ratio) && Math.Abs(dropout.Ratio - site.Spec.Rate) > 1e-4)
            {
                findings.Add(RuleCatalog.DropoutRateMismatch,
                    $"Dropout node '{nodeName}' has ratio {F(dropout.Ratio)} but site '{site.Spec.Id}' declares rate {F(site.Spec.Rate)}",
                    site.Spec.Location, site.Spec.Id, fix: "correct the site's `rate`/`keep`, or re-export with the intended rate");
            }
        }

        foreach (var node in DropoutNodes.FindRandomOps(model))
        {
            findings.Add(RuleCatalog.StochasticOp,
                $"random op {node.OpType} '{(node.Name.Length > 0 ? node.Name : node.Output[0])}' is left in the inference graph",
                spec.NameLocation, fix: "re-export in inference mode, or remove the random op",
                subject: node.Name + "#" + node.Output[0]);
        }
    }

    public static void CheckUnresolvedSites(IReadOnlyList<UnresolvedSite> unresolved, FindingCollector findings)
    {
        foreach (var site in unresolved)
        {
            var suggestion = site.Suggestions.Count > 0 ? $"; did you mean {string.Join(" or ", site.Suggestions.Select(s => $"'{s}'"))}?" : string.Empty;
            findings.Add(RuleCatalog.SiteNotFound, $"site '{site.Spec.Id}': {site.Reason}{suggestion}", site.Spec.Location, site.Spec.Id,
                fix: site.Suggestions.Count > 0 ? $"use `{(site.Spec.Kind == SiteKind.InputOf ? "input_of" : "tensor")}: {site.Suggestions[0]}`" : "name the weight initializer of the layer after the dropout, or the dropped tensor; mlopsgate init lists the candidates");
        }
    }

    /// <summary>The declared site a Dropout node belongs to: it lies on the site's path, or produces the site's tensor.</summary>
    public static ResolvedSite? SiteOf(DropoutNode dropout, IReadOnlyList<ResolvedSite> sites) =>
        sites.FirstOrDefault(s => s.DropoutNodes.Any(d => ReferenceEquals(d, dropout.Node))
            || (s.Spec.Kind == SiteKind.Tensor && (s.Spec.Id == dropout.Output || s.Spec.Id == dropout.DataInput)));

    public static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Percent(double ratio) => double.IsFinite(ratio) ? $"{ratio * 100:0.#}%" : "an unknown share";

    private static string ConventionHint(Framework framework) => framework switch
    {
        Framework.Paddle => " (Paddle's mode='downscale_in_infer' is the standard convention)",
        Framework.Torch7 => " (Torch7 nn.Dropout(p, v1 = true) is the standard convention)",
        Framework.Caffe => " (some Caffe forks' scale_train: false is the standard convention)",
        _ => string.Empty,
    };
}
