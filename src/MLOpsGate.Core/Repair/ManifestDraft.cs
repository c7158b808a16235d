using System.Globalization;
using System.Text;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;

namespace MLOpsGate.Core.Repair;

/// <summary>A drafted manifest and what the user must still check.</summary>
public sealed record DraftResult(string Yaml, IReadOnlyList<string> ToDo);

/// <summary>
/// `mlopsgate init`: drafts a manifest entry from a model — the framework guessed from the producer,
/// Dropout nodes and compensation-like scalar Muls turned into sites, other candidate layers listed
/// as comments — that validates as it stands.
/// </summary>
public static class ManifestDraft
{
    public static DraftResult Draft(OnnxModel model, string manifestPath, string workspaceRoot)
    {
        var todo = new List<string>();
        var guessed = StaticChecks.FrameworkOfProducer(model.ProducerName);
        var framework = guessed ?? Framework.Custom;
        var frameworkName = StaticChecks.Lower(framework);
        var defaultConvention = StaticChecks.DefaultConvention(framework);

        var sites = new List<(string Key, string Id, string Amount, string Why)>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dropout in DropoutNodes.Find(model))
        {
            double rate = double.IsFinite(dropout.Ratio) && dropout.Ratio is > 0 and < 1 ? dropout.Ratio : 0.5;
            var spec = new SiteSpec(SiteKind.Tensor, dropout.Output, new SourceLocation(1, 1), rate, false);
            var (resolved, _) = SiteLocator.Locate(model, [spec]);
            var site = resolved.FirstOrDefault();
            var why = $"after Dropout node '{dropout.DisplayName}' (ratio {F(rate)}{(dropout.Mode == DropoutMode.Active ? ", ACTIVE at inference" : string.Empty)})";
            if (site?.WeightName is { } weight && covered.Add(weight))
            {
                sites.Add(("input_of", weight, $"rate: {F(rate)}", why));
            }
            else if (site is null && covered.Add(dropout.Output))
            {
                sites.Add(("tensor", dropout.Output, $"rate: {F(rate)}", why));
            }
        }

        // Scalar Muls by a factor below 1 in front of a layer look like standard-dropout compensation.
        bool compensationSeen = false;
        var layers = model.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv").ToList();
        var candidates = new List<string>();
        foreach (var layer in layers)
        {
            var weight = layer.Input.Skip(1).FirstOrDefault(i => model.Initializers.ContainsKey(i)) ?? layer.Input.FirstOrDefault(i => model.Initializers.ContainsKey(i));
            if (weight is null || covered.Contains(weight))
            {
                continue;
            }

            var (resolved, _) = SiteLocator.Locate(model, [new SiteSpec(SiteKind.InputOf, weight, new SourceLocation(1, 1), 0.5, false)]);
            var compensation = resolved.FirstOrDefault()?.Compensation.FirstOrDefault(c => c.Factor is > 0 and < 1);
            if (compensation is not null)
            {
                compensationSeen = true;
                covered.Add(weight);
                sites.Add(("input_of", weight, $"keep: {F(compensation.Factor)}", $"after a scalar {compensation.Node.OpType} by {F(compensation.Factor)} (node '{compensation.Node.Name}'), which looks like standard-dropout compensation"));
            }
            else if (!model.GraphInputs.Any(i => layer.Input.Contains(i.Name)))
            {
                candidates.Add(weight);
            }
        }

        var convention = compensationSeen ? DropoutConvention.Standard : defaultConvention ?? DropoutConvention.Inverted;
        var manifestDirectory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var artifact = Path.GetRelativePath(manifestDirectory, Path.GetFullPath(model.Path)).Replace('\\', '/');
        var name = new string(Path.GetFileNameWithoutExtension(model.Path).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());

        var yaml = new StringBuilder();
        yaml.AppendLine($"# Drafted by `mlopsgate init` from {artifact} (producer: '{model.ProducerName}' {model.ProducerVersion}, opset {model.Opset}).");
        yaml.AppendLine("# Check every line marked TODO, then add calibration data and references (see the README).");
        yaml.AppendLine("version: 1");
        yaml.AppendLine("models:");
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine($"    artifact: {Quote(artifact)}");
        yaml.AppendLine($"    framework: {frameworkName}  # {(guessed is null ? $"producer '{model.ProducerName}' is not a known exporter" : $"guessed from the producer '{model.ProducerName}'")}; TODO confirm");
        yaml.AppendLine("    dropout:");
        yaml.AppendLine($"      convention: {StaticChecks.Lower(convention)}  # {ConventionComment(convention, framework, defaultConvention, compensationSeen)}; TODO confirm");
        if (compensationSeen)
        {
            yaml.AppendLine("      compensation: node  # the keep factor is an explicit node in the graph");
        }

        if (sites.Count == 0)
        {
            yaml.AppendLine("      sites: []  # no Dropout node or compensation found: an eval-mode export removes Dropout, so list the sites yourself");
        }
        else
        {
            yaml.AppendLine("      sites:");
            foreach (var site in sites)
            {
                yaml.AppendLine($"        - {site.Key}: {Quote(site.Id)}  # {site.Why}");
                yaml.AppendLine($"          {site.Amount}  # TODO confirm the rate used in training");
            }
        }

        if (candidates.Count > 0)
        {
            yaml.AppendLine("      # Layers that could consume dropped activations; uncomment those that do (in `sites:`):");
            foreach (var candidate in candidates)
            {
                yaml.AppendLine($"      # - input_of: {Quote(candidate)}");
                yaml.AppendLine("      #   rate: 0.5");
            }
        }

        var inputs = string.Join(", ", model.GraphInputs.Select(i => $"'{i.Name}'"));
        yaml.AppendLine("    # TODO: calibration inputs and the training framework's inference-mode references:");
        yaml.AppendLine("    # calibration:");
        yaml.AppendLine($"    #   inputs: data/inputs.npy  # one row per sample for {inputs} (.npz keyed by input name for several)");
        yaml.AppendLine("    # expect:");
        yaml.AppendLine("    #   outputs: data/outputs.npy  # the training framework's outputs in inference mode");
        yaml.AppendLine("    #   activations: data/activations.npz  # per site id: the consuming layer's output");
        yaml.AppendLine("    #   checkpoint: data/checkpoint.npz  # trained weights before export-time scaling");

        todo.Add($"confirm `framework: {frameworkName}`{(guessed is null ? " (the producer is unknown)" : string.Empty)}");
        todo.Add($"confirm `convention: {StaticChecks.Lower(convention)}`: was dropout rescaled during training (inverted) or not (standard)?");
        todo.Add(sites.Count > 0 ? $"confirm the {sites.Count} proposed site(s) and their rates" : "declare the dropout sites (an eval-mode export has no Dropout nodes to find them by)");
        todo.Add("add `calibration` and `expect` (outputs, activations or a checkpoint): without evidence a standard model cannot pass");

        var text = yaml.ToString();
        var check = ManifestLoader.Parse(text, manifestPath, Path.GetFullPath(manifestPath), workspaceRoot);
        if (!check.IsValid)
        {
            throw new InvalidOperationException("the drafted manifest does not validate: " + string.Join("; ", check.Problems.Select(p => p.Message)));
        }

        return new DraftResult(text, todo);
    }

    private static string ConventionComment(DropoutConvention convention, Framework framework, DropoutConvention? defaultConvention, bool compensationSeen) =>
        compensationSeen
            ? "a compensation-like Mul was found, which standard dropout needs"
            : defaultConvention is null
                ? $"{StaticChecks.Lower(framework)} has no default: hand-written dropout is often standard"
                : $"{StaticChecks.Lower(framework)}'s default";

    private static string Quote(string value) => $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
