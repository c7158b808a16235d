using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Data;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Runtime;
using static MLOpsGate.Core.Checks.StaticChecks;

namespace MLOpsGate.Core.Checks;

/// <summary>
/// Diagnoses sites from the training checkpoint without running the model: the least-squares ratio of
/// each consuming initializer (times any scalar Mul/Div on the site's path) to its checkpoint tensor,
/// divided by the factor the convention requires (keep for standard, 1 for inverted).
/// </summary>
internal static class CheckpointEvidence
{
    public static void Apply(ModelSpec spec, OnnxModel model, IReadOnlyList<SiteDiagnosis> diagnoses, SiteConclusions conclusions, List<ReportNote> notes)
    {
        var file = spec.Expect.Checkpoint!;
        using var checkpoint = ManifestData.Wrap(file, () => CheckpointFile.Open(file.FullPath, file.Value));
        foreach (var d in diagnoses)
        {
            var site = d.Site;
            if (site.WeightName is null || model.TryGetConstant(site.WeightName) is not { } exported)
            {
                notes.Add(new ReportNote($"site '{site.Spec.Id}': its consuming layer's weight is not a constant, so the checkpoint cannot be compared", site.Spec.Id));
                continue;
            }

            var dims = model.Initializers.TryGetValue(site.WeightName, out var init)
                ? TensorValues.Dims(init)
                : [exported.Length];
            var trained = Match(checkpoint, site, dims, file, notes);
            double dot = 0, norm = 0;
            for (int k = 0; k < exported.Length; k++)
            {
                dot += exported[k] * trained[k];
                norm += trained[k] * trained[k];
            }

            if (norm == 0)
            {
                throw new GateInputException($"checkpoint tensor for site '{site.Spec.Id}' is all zeros; the weight ratio is undefined.", file.Location);
            }

            double ratio = dot / norm;
            double required = spec.Convention == DropoutConvention.Standard ? site.Spec.Keep : 1.0;
            double scale = ratio * site.GraphFactor / required;
            d.Evidence = EvidenceKind.Checkpoint;
            d.EstimatedScale = scale;
            d.WeightRatio = ratio;
            var path = site.Compensation.Count > 0 ? $" times {F(site.GraphFactor)} from compensating nodes" : string.Empty;
            conclusions.Conclude(d, ScaleClassifier.Classify(scale, site.Spec, spec.Convention), scale,
                $"the exported weights at site {site.Spec.Id} ('{site.WeightName}', {F(ratio)}x the checkpoint{path}, against {F(required)} required) are", null);
        }
    }

    /// <summary>The checkpoint tensor for a site, laid out like the exported initializer: by name, else by shape (transposed if needed).</summary>
    private static double[] Match(CheckpointFile checkpoint, ResolvedSite site, long[] dims, ManifestFile file, List<ReportNote> notes)
    {
        var name = site.WeightName!;
        if (checkpoint.Contains(name))
        {
            var shape = checkpoint.GetShape(name).ToArray();
            if (shape.SequenceEqual(dims))
            {
                return ManifestData.Wrap(file, () => checkpoint.ReadAsDouble(name));
            }

            if (IsTransposeOf(shape, dims))
            {
                notes.Add(new ReportNote($"checkpoint tensor '{name}' is stored transposed ({FormatShape(shape)}); compared transposed", site.Spec.Id));
                return Transpose(ManifestData.Wrap(file, () => checkpoint.ReadAsDouble(name)), shape);
            }

            throw new GateInputException(
                $"checkpoint tensor '{name}' has shape {FormatShape(shape)} but the exported initializer has {FormatShape(dims)}; save the trained weights of the same architecture.", file.Location);
        }

        var same = checkpoint.Names.Where(n => checkpoint.GetShape(n).SequenceEqual(dims)).ToList();
        var transposed = checkpoint.Names.Where(n => IsTransposeOf(checkpoint.GetShape(n).ToArray(), dims)).ToList();
        if (same.Count + transposed.Count == 1)
        {
            var match = same.Count == 1 ? same[0] : transposed[0];
            notes.Add(new ReportNote($"checkpoint tensor '{match}' matched to initializer '{name}' by shape{(same.Count == 1 ? string.Empty : " (transposed)")}", site.Spec.Id));
            var values = ManifestData.Wrap(file, () => checkpoint.ReadAsDouble(match));
            return same.Count == 1 ? values : Transpose(values, checkpoint.GetShape(match).ToArray());
        }

        throw new GateInputException(same.Count + transposed.Count == 0
            ? $"checkpoint '{file.Value}' has no tensor named '{name}' and none of shape {FormatShape(dims)} (it has: {string.Join(", ", checkpoint.Names.Take(10))}); key the trained weights by initializer name."
            : $"checkpoint '{file.Value}' has no tensor named '{name}' and several of shape {FormatShape(dims)} ({string.Join(", ", same.Concat(transposed))}); key the trained weights by initializer name.",
            file.Location);
    }

    private static bool IsTransposeOf(long[] shape, long[] dims) =>
        shape.Length == 2 && dims.Length == 2 && shape[0] == dims[1] && shape[1] == dims[0] && shape[0] != shape[1];

    private static double[] Transpose(double[] values, long[] shape)
    {
        int rows = (int)shape[0], cols = (int)shape[1];
        var result = new double[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                result[(c * rows) + r] = values[(r * cols) + c];
            }
        }

        return result;
    }

    private static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
