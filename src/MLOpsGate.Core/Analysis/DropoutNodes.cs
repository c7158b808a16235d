using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Onnx.Proto;

namespace MLOpsGate.Core.Analysis;

/// <summary>Whether a Dropout node drops units when the model is run for inference.</summary>
public enum DropoutMode
{
    /// <summary>Identity at inference.</summary>
    Inactive,

    /// <summary>Drops at run time: `is_test = 0` (opset &lt; 7) or `training_mode` true (opset 12+).</summary>
    Active,

    /// <summary>Legacy Dropout without `is_test`: the specification's default means training, runtimes treat it as identity.</summary>
    Undefined,

    /// <summary>`training_mode` is fed by a graph input: decided by the caller at run time.</summary>
    RuntimeInput,
}

/// <summary>A Dropout node as the opset it was written for defines it.</summary>
public sealed record DropoutNode(
    NodeProto Node,
    string DataInput,
    string Output,
    double Ratio,
    DropoutMode Mode,
    string? MaskOutput,
    bool MaskUsed,
    string? TrainingModeInput)
{
    public string DisplayName => Node.Name.Length > 0 ? Node.Name : $"Dropout->{Output}";
}

public static class DropoutNodes
{
    public static IReadOnlySet<string> RandomOps { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "RandomUniform", "RandomUniformLike", "RandomNormal", "RandomNormalLike", "Bernoulli", "Multinomial",
    };

    public static IReadOnlyList<DropoutNode> Find(OnnxModel model)
    {
        var opset = model.Opset;
        var result = new List<DropoutNode>();
        foreach (var node in model.Graph.Node.Where(n => n.OpType == "Dropout" && IsDefaultDomain(n)))
        {
            double ratio = 0.5;
            var mode = DropoutMode.Inactive;
            string? trainingInput = null;
            if (opset < 7)
            {
                var isTest = node.Attribute.FirstOrDefault(a => a.Name == "is_test");
                mode = isTest is null ? DropoutMode.Undefined : isTest.I == 0 ? DropoutMode.Active : DropoutMode.Inactive;
                ratio = node.Attribute.FirstOrDefault(a => a.Name == "ratio")?.F ?? 0.5f;
            }
            else if (opset < 12)
            {
                ratio = node.Attribute.FirstOrDefault(a => a.Name == "ratio")?.F ?? 0.5f;
            }
            else
            {
                if (node.Input.Count > 1 && node.Input[1].Length > 0)
                {
                    ratio = model.TryGetScalarConstant(node.Input[1]) ?? double.NaN;
                }

                if (node.Input.Count > 2 && node.Input[2].Length > 0)
                {
                    var training = model.TryGetScalarConstant(node.Input[2]);
                    if (training is null)
                    {
                        mode = DropoutMode.RuntimeInput;
                        trainingInput = node.Input[2];
                    }
                    else if (training.Value != 0)
                    {
                        mode = DropoutMode.Active;
                    }
                }
            }

            var mask = node.Output.Count > 1 && node.Output[1].Length > 0 ? node.Output[1] : null;
            var maskUsed = mask is not null && (model.Consumers(mask).Count > 0 || model.GraphOutputNames.Contains(mask));
            result.Add(new DropoutNode(node, node.Input[0], node.Output[0], ratio, mode, mask, maskUsed, trainingInput));
        }

        return result;
    }

    public static IEnumerable<NodeProto> FindRandomOps(OnnxModel model) =>
        model.Graph.Node.Where(n => RandomOps.Contains(n.OpType) && IsDefaultDomain(n));

    private static bool IsDefaultDomain(NodeProto node) => node.Domain.Length == 0 || node.Domain == "ai.onnx";
}
