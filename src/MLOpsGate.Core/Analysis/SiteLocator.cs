using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Onnx.Proto;

namespace MLOpsGate.Core.Analysis;

/// <summary>The layer type that consumes a site's dropped activations; decides which axis holds the units.</summary>
public enum LayerKind { MatMul, Gemm, Conv }

/// <summary>A scalar Mul/Div found between the dropped tensor and the consuming layer.</summary>
/// <param name="Factor">The effective multiplier (a Div by d contributes 1/d).</param>
public sealed record CompensatingNode(NodeProto Node, double Factor, string ScalarInput);

/// <summary>Where a declared site sits in the graph.</summary>
/// <param name="ConsumingNode">The MatMul/Gemm/Conv that consumes the dropped activations.</param>
/// <param name="DataInputIndex">Which input of the consuming node carries the activations.</param>
/// <param name="WeightName">The consuming layer's weight initializer (null when it is not a constant, e.g. folded away).</param>
/// <param name="ProbeTensor">The consuming layer's output, after a bias Add that directly follows.</param>
/// <param name="PathNodes">The nodes between the dropped tensor and the consuming layer, nearest the layer first.</param>
/// <param name="DropoutNodes">Dropout nodes on that path.</param>
public sealed record ResolvedSite(
    SiteSpec Spec,
    NodeProto ConsumingNode,
    int DataInputIndex,
    LayerKind Layer,
    string? WeightName,
    bool WeightTransposed,
    string ProbeTensor,
    IReadOnlyList<NodeProto> PathNodes,
    IReadOnlyList<CompensatingNode> Compensation,
    IReadOnlyList<NodeProto> DropoutNodes)
{
    public string DataInput => ConsumingNode.Input[DataInputIndex];

    /// <summary>The product of every compensating factor on the path (1 when there is none).</summary>
    public double GraphFactor => Compensation.Aggregate(1.0, (acc, c) => acc * c.Factor);

    /// <summary>Axis of the unit (feature or channel) dimension in the probe tensor: 1 for Conv (NCHW), else the last.</summary>
    public int UnitAxis(int rank) => Layer == LayerKind.Conv ? 1 : rank - 1;
}

/// <summary>A site that could not be placed, with the nearest names to suggest.</summary>
public sealed record UnresolvedSite(SiteSpec Spec, string Reason, IReadOnlyList<string> Suggestions);

/// <summary>Places declared sites in the graph and finds compensating nodes on their paths.</summary>
public static class SiteLocator
{
    // Ops that commute with a positive scalar factor: a Mul(keep) may sit on either side of them.
    private static readonly HashSet<string> ScaleTransparentOps = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape",
        "Transpose", "Squeeze", "Unsqueeze", "Identity", "Dropout",
    };

    private static readonly Dictionary<string, LayerKind> Layers = new(StringComparer.Ordinal)
    {
        ["MatMul"] = LayerKind.MatMul,
        ["Gemm"] = LayerKind.Gemm,
        ["Conv"] = LayerKind.Conv,
    };

    public static (IReadOnlyList<ResolvedSite> Resolved, IReadOnlyList<UnresolvedSite> Unresolved) Locate(
        OnnxModel model, IReadOnlyList<SiteSpec> sites)
    {
        var resolved = new List<ResolvedSite>();
        var unresolved = new List<UnresolvedSite>();
        foreach (var site in sites)
        {
            var result = site.Kind == SiteKind.InputOf ? LocateInputOf(model, site) : LocateTensor(model, site);
            switch (result)
            {
                case ResolvedSite r: resolved.Add(r); break;
                case UnresolvedSite u: unresolved.Add(u); break;
            }
        }

        var order = new Dictionary<NodeProto, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            order[model.Graph.Node[i]] = i;
        }

        return (resolved.OrderBy(r => order[r.ConsumingNode]).ToList(), unresolved);
    }

    private static object LocateInputOf(OnnxModel model, SiteSpec site)
    {
        if (!model.Initializers.ContainsKey(site.Id) && model.Producer(site.Id)?.OpType != "Constant")
        {
            return new UnresolvedSite(site, $"no initializer named '{site.Id}'",
                Nearest(site.Id, model.Initializers.Keys.Where(k => model.Consumers(k).Any(c => Layers.ContainsKey(c.OpType)))));
        }

        // Follow the weight through layout-only ops (some exporters transpose weights in the graph).
        var weight = site.Id;
        bool transposed = false;
        for (int hop = 0; hop < 4; hop++)
        {
            foreach (var consumer in model.Consumers(weight))
            {
                if (Layers.TryGetValue(consumer.OpType, out var kind))
                {
                    int weightIndex = consumer.Input.IndexOf(weight);
                    int dataIndex = kind == LayerKind.Conv || weightIndex == 1 ? 0 : 1;
                    if (kind == LayerKind.Conv && weightIndex != 1)
                    {
                        continue;
                    }

                    return Build(model, site, consumer, dataIndex, kind, site.Id, transposed);
                }
            }

            var passThrough = model.Consumers(weight).FirstOrDefault(c => c.OpType is "Transpose" or "Identity" or "Cast");
            if (passThrough is null)
            {
                break;
            }

            transposed ^= passThrough.OpType == "Transpose";
            weight = passThrough.Output[0];
        }

        return new UnresolvedSite(site, $"initializer '{site.Id}' is not the weight of a MatMul, Gemm or Conv",
            Nearest(site.Id, model.Initializers.Keys.Where(k => model.Consumers(k).Any(c => Layers.ContainsKey(c.OpType)))));
    }

    private static object LocateTensor(OnnxModel model, SiteSpec site)
    {
        var names = model.AllTensorNames().ToList();
        if (!names.Contains(site.Id, StringComparer.Ordinal))
        {
            return new UnresolvedSite(site, $"no tensor named '{site.Id}'", Nearest(site.Id, names));
        }

        // Breadth-first down the scale-transparent ops to the first layer that takes the path as its data input.
        var queue = new Queue<string>([site.Id]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var tensor = queue.Dequeue();
            if (!seen.Add(tensor))
            {
                continue;
            }

            foreach (var consumer in model.Consumers(tensor))
            {
                if (Layers.TryGetValue(consumer.OpType, out var kind))
                {
                    int index = consumer.Input.IndexOf(tensor);
                    var weightIndex = kind == LayerKind.Conv ? 1 : 1 - index;
                    if (index > 1 || (kind == LayerKind.Conv && index != 0))
                    {
                        continue;
                    }

                    var weight = consumer.Input[weightIndex];
                    var weightName = model.Initializers.ContainsKey(weight) || model.Producer(weight)?.OpType == "Constant" ? weight : null;
                    return Build(model, site, consumer, index, kind, weightName, false);
                }

                if (ScaleTransparentOps.Contains(consumer.OpType) || ScalarOperand(model, consumer) is not null)
                {
                    queue.Enqueue(consumer.Output[0]);
                }
            }
        }

        return new UnresolvedSite(site, $"no MatMul, Gemm or Conv consumes tensor '{site.Id}' through scale-preserving ops", []);
    }

    private static ResolvedSite Build(OnnxModel model, SiteSpec site, NodeProto consumer, int dataIndex, LayerKind kind, string? weight, bool transposed)
    {
        // Walk up from the layer's data input through scale-transparent ops, collecting scalar Mul/Div factors.
        var path = new List<NodeProto>();
        var compensation = new List<CompensatingNode>();
        var dropouts = new List<NodeProto>();
        var tensor = consumer.Input[dataIndex];
        while (model.Producer(tensor) is { } producer && path.Count < 64)
        {
            if (producer.OpType is "Mul" or "Div" && ScalarOperand(model, producer) is var (value, dataInput, scalarInput))
            {
                compensation.Add(new CompensatingNode(producer, producer.OpType == "Mul" ? value : 1.0 / value, scalarInput));
                tensor = dataInput;
            }
            else if (ScaleTransparentOps.Contains(producer.OpType))
            {
                if (producer.OpType == "Dropout")
                {
                    dropouts.Add(producer);
                }

                tensor = producer.Input[0];
            }
            else
            {
                break;
            }

            path.Add(producer);
            if (site.Kind == SiteKind.Tensor && tensor == site.Id && !HasScalarAbove(model, tensor))
            {
                break;
            }
        }

        var output = consumer.Output[0];
        var next = model.Consumers(output);
        if (next is [{ OpType: "Add" } add] && add.Input.Any(i => i != output && model.TryGetConstant(i) is not null))
        {
            output = add.Output[0];
        }

        return new ResolvedSite(site, consumer, dataIndex, kind, weight, transposed, output, path, compensation, dropouts);
    }

    private static bool HasScalarAbove(OnnxModel model, string tensor) =>
        model.Producer(tensor) is { } p && p.OpType is "Mul" or "Div" && ScalarOperand(model, p) is not null;

    /// <summary>For a Mul/Div with one constant scalar operand (the divisor, for Div): its value, the data input and the scalar input.</summary>
    internal static (double Value, string DataInput, string ScalarInput)? ScalarOperand(OnnxModel model, NodeProto node)
    {
        if (node.OpType is not ("Mul" or "Div") || node.Input.Count != 2)
        {
            return null;
        }

        var second = model.TryGetScalarConstant(node.Input[1]);
        if (second is not null && model.TryGetConstant(node.Input[0]) is null)
        {
            return (second.Value, node.Input[0], node.Input[1]);
        }

        var first = node.OpType == "Mul" ? model.TryGetScalarConstant(node.Input[0]) : null;
        return first is not null && model.TryGetConstant(node.Input[1]) is null ? (first.Value, node.Input[1], node.Input[0]) : null;
    }

    /// <summary>The names closest to <paramref name="name"/> by edit distance (at most three).</summary>
    public static IReadOnlyList<string> Nearest(string name, IEnumerable<string> candidates) =>
        candidates
            .Select(c => (c, d: EditDistance.Levenshtein(name, c)))
            .Where(p => p.d <= Math.Max(3, name.Length / 2))
            .OrderBy(p => p.d).ThenBy(p => p.c, StringComparer.Ordinal)
            .Take(3).Select(p => p.c).ToList();
}
