using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Onnx;

namespace MLOpsGate.Core.Checks;

/// <summary>Counts saturated tanh/sigmoid units: |tanh| &gt; 0.99, sigmoid &lt; 0.01 or &gt; 0.99.</summary>
internal sealed class SaturationCounter(string opType)
{
    public long Count { get; private set; }

    public long Saturated { get; private set; }

    public double Fraction => Count > 0 ? (double)Saturated / Count : 0;

    /// <param name="applyActivation">True when the values are pre-activations (reference activations of the layer before).</param>
    public void Add(ReadOnlySpan<double> values, bool applyActivation)
    {
        foreach (var raw in values)
        {
            double v = applyActivation ? (opType == "Tanh" ? Math.Tanh(raw) : 1 / (1 + Math.Exp(-raw))) : raw;
            bool saturated = opType == "Tanh" ? Math.Abs(v) > 0.99 : v < 0.01 || v > 0.99;
            Count++;
            Saturated += saturated ? 1 : 0;
        }
    }
}

/// <summary>A tanh/sigmoid downstream of a site, and where its reference comes from.</summary>
/// <param name="Site">The index of the nearest site upstream.</param>
/// <param name="ReferenceSite">Reference from that site's activations when the node reads the site's consuming layer directly.</param>
/// <param name="ReferenceOutput">Reference from the outputs when the node's output is a graph output.</param>
internal sealed record SaturationProbe(string Tensor, string OpType, int Site, int? ReferenceSite, int? ReferenceOutput)
{
    public SaturationCounter Actual { get; } = new(OpType);

    public SaturationCounter Reference { get; } = new(OpType);

    public static IReadOnlyList<SaturationProbe> Find(OnnxModel model, IReadOnlyList<ResolvedSite> sites)
    {
        var outputs = model.Graph.Output.Select(o => o.Name).ToList();
        var found = new Dictionary<string, SaturationProbe>(StringComparer.Ordinal);
        for (int i = 0; i < sites.Count; i++)
        {
            var queue = new Queue<string>([sites[i].ProbeTensor]);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (queue.Count > 0)
            {
                var tensor = queue.Dequeue();
                if (!seen.Add(tensor))
                {
                    continue;
                }

                foreach (var node in model.Consumers(tensor))
                {
                    var output = node.Output[0];
                    if (node.OpType is "Tanh" or "Sigmoid")
                    {
                        int? referenceSite = node.Input[0] == sites[i].ProbeTensor ? i : null;
                        int? referenceOutput = outputs.IndexOf(output) is var o and >= 0 ? o : null;
                        found[output] = new SaturationProbe(output, node.OpType, i, referenceSite, referenceOutput);
                    }

                    queue.Enqueue(output);
                }
            }
        }

        return found.Values.ToList();
    }
}
