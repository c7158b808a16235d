using Google.Protobuf;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Onnx.Proto;

namespace MLOpsGate.Core.Runtime;

/// <summary>
/// An in-memory copy of the model prepared for measurement: a Mul on each site's consuming-layer data
/// input whose factor is a scalar graph input (one session serves every correction and counterfactual
/// variant), each site's consuming-layer output exposed as a graph output, and undeclared active
/// Dropout nodes switched to inference so a training-mode export can still be measured.
/// </summary>
public sealed class ProbeModel
{
    public const string FactorInputPrefix = "mlopsgate_site_factor_";

    private ProbeModel(byte[] bytes, IReadOnlyList<string> factorInputs, IReadOnlyList<string> probeOutputs)
    {
        Bytes = bytes;
        FactorInputs = factorInputs;
        ProbeOutputs = probeOutputs;
    }

    public byte[] Bytes { get; }

    /// <summary>The factor input of each site, in site order.</summary>
    public IReadOnlyList<string> FactorInputs { get; }

    /// <summary>The probe tensor of each site, in site order.</summary>
    public IReadOnlyList<string> ProbeOutputs { get; }

    public static ProbeModel Build(OnnxModel model, IReadOnlyList<ResolvedSite> sites, IEnumerable<DropoutNode> dropoutsToDeactivate, IEnumerable<string> extraOutputs)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        // The clone holds copies of the nodes, in the same order until the first insertion below.
        var snapshot = graph.Node.ToList();
        NodeProto Same(NodeProto original) => snapshot[model.Graph.Node.IndexOf(original)];
        var factorInputs = new List<string>();
        for (int i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            var consumer = Same(site.ConsumingNode);
            var factor = FactorInputPrefix + i;
            var scaled = $"mlopsgate_site_scaled_{i}";
            graph.Input.Add(new ValueInfoProto { Name = factor, Type = TensorType(TensorProto.Types.DataType.Float) });
            var mul = new NodeProto { OpType = "Mul", Name = $"mlopsgate_site_mul_{i}" };
            mul.Input.Add(consumer.Input[site.DataInputIndex]);
            mul.Input.Add(factor);
            mul.Output.Add(scaled);
            consumer.Input[site.DataInputIndex] = scaled;
            graph.Node.Insert(graph.Node.IndexOf(consumer), mul);
            factorInputs.Add(factor);
        }

        var probes = sites.Select(s => s.ProbeTensor).ToList();
        foreach (var probe in probes.Concat(extraOutputs).Distinct(StringComparer.Ordinal).Where(p => !model.GraphOutputNames.Contains(p)))
        {
            graph.Output.Add(new ValueInfoProto { Name = probe, Type = TensorType(TensorProto.Types.DataType.Float) });
        }

        int deactivated = 0;
        foreach (var dropout in dropoutsToDeactivate)
        {
            Deactivate(graph, Same(dropout.Node), model.Opset, $"mlopsgate_inference_mode_{deactivated++}");
        }

        return new ProbeModel(proto.ToByteArray(), factorInputs, probes);
    }

    private static void Deactivate(GraphProto graph, NodeProto node, long opset, string name)
    {
        if (opset < 12)
        {
            var isTest = node.Attribute.FirstOrDefault(a => a.Name == "is_test");
            if (isTest is not null)
            {
                isTest.I = 1;
            }

            return;
        }

        var off = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Bool, RawData = ByteString.CopyFrom(0) };
        graph.Initializer.Add(off);
        while (node.Input.Count < 3)
        {
            node.Input.Add(string.Empty);
        }

        node.Input[2] = name;
    }

    private static TypeProto TensorType(TensorProto.Types.DataType type) =>
        new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } };
}
