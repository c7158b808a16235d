using System.Globalization;
using Google.Protobuf;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Onnx.Proto;

namespace MLOpsGate.Core.Repair;

public enum RepairStrategy { Weights, Node }

/// <summary>What a repair changed, or why it could not.</summary>
public sealed record RepairPlan(OnnxModel? Repaired, IReadOnlyList<string> Changes, IReadOnlyList<string> Refusals);

/// <summary>
/// Applies the diagnosed corrections to a copy of the model: rescales a site's consuming initializer
/// (copied first when other nodes share it) or inserts a Mul at the site; removes an extra compensating
/// Mul/Div that causes double scaling whatever the strategy; switches training-mode Dropout to inference
/// (its mask, if used, then reads all true as the specification defines).
/// </summary>
public static class ModelRepair
{
    private static readonly HashSet<string> FixableSiteRules = ["MLG003", "MLG004", "MLG013"];

    public static RepairPlan Plan(ModelCheck check, RepairStrategy strategy)
    {
        var original = check.Model ?? throw new InvalidOperationException("the check did not load a model");
        var model = original.Clone();
        var nodes = model.Graph.Node.ToList();
        NodeProto Same(NodeProto node) => nodes[original.Graph.Node.IndexOf(node)];
        var changes = new List<string>();
        var refusals = new List<string>();

        foreach (var d in check.SiteDiagnoses.Where(d => d.Rule is not null))
        {
            if (!FixableSiteRules.Contains(d.Rule!) && !(d.Rule == "MLG007" && d.ExplainingRate is not null))
            {
                refusals.Add($"site '{d.Site.Spec.Id}': {d.Rule} without a factor that explains it is not a scaling fault this command can correct");
                continue;
            }

            changes.Add(CorrectSite(model, d.Site, d.CorrectionFactor, strategy, Same));
        }

        foreach (var dropout in check.DropoutNodes.Where(d => d.Mode is DropoutMode.Active or DropoutMode.RuntimeInput or DropoutMode.Undefined))
        {
            var site = check.SiteDiagnoses.FirstOrDefault(d => ReferenceEquals(StaticChecks.SiteOf(dropout, [d.Site]), d.Site));
            if (site?.Site.Spec.ActiveAtInference == true)
            {
                continue;
            }

            changes.Add(SetInference(model, Same(dropout.Node), dropout));
        }

        return new RepairPlan(changes.Count > 0 ? model.Reindexed() : null, changes, refusals);
    }

    private static string CorrectSite(OnnxModel model, ResolvedSite site, double factor, RepairStrategy strategy, Func<NodeProto, NodeProto> same)
    {
        var graph = model.Graph;
        var extra = site.Compensation.FirstOrDefault(c => Math.Abs((c.Factor * factor) - 1.0) < 0.02);
        if (extra is not null)
        {
            var node = same(extra.Node);
            var (_, dataInput, _) = SiteLocator.ScalarOperand(model, extra.Node)!.Value;
            foreach (var consumer in graph.Node)
            {
                for (int i = 0; i < consumer.Input.Count; i++)
                {
                    if (consumer.Input[i] == node.Output[0])
                    {
                        consumer.Input[i] = dataInput;
                    }
                }
            }

            graph.Node.Remove(node);
            return $"removed node '{extra.Node.Name}' (it multiplied site '{site.Spec.Id}' by {F(extra.Factor)})";
        }

        var consumingNode = same(site.ConsumingNode);
        if (strategy == RepairStrategy.Weights && site.WeightName is not null && model.Initializers.TryGetValue(site.WeightName, out var weight))
        {
            // Other layers that share the weight keep the trained values in a copy; the site's layer keeps
            // the name the manifest's `input_of` uses, so the same manifest checks the corrected model.
            var others = graph.Node.Where(n => !ReferenceEquals(n, consumingNode) && n.Input.Contains(site.WeightName)).ToList();
            string copied = string.Empty;
            if (others.Count > 0)
            {
                var unscaled = weight.Clone();
                unscaled.Name = UniqueName(model, site.WeightName + "_mlopsgate_unscaled");
                graph.Initializer.Add(unscaled);
                foreach (var other in others)
                {
                    for (int i = 0; i < other.Input.Count; i++)
                    {
                        if (other.Input[i] == site.WeightName)
                        {
                            other.Input[i] = unscaled.Name;
                        }
                    }
                }

                copied = $"; the {others.Count} other node(s) sharing it now read the unscaled copy '{unscaled.Name}'";
            }

            TensorValues.SetValues(weight, TensorValues.ToDoubles(weight).Select(v => v * factor).ToArray());
            return $"multiplied initializer '{weight.Name}' by {F(factor)} (site '{site.Spec.Id}'){copied}";
        }

        var factorName = UniqueName(model, $"mlopsgate_site_fix_{Sanitize(site.Spec.Id)}");
        graph.Initializer.Add(new TensorProto
        {
            Name = factorName,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(BitConverter.GetBytes((float)factor)),
        });
        var scaled = factorName + "_output";
        var mul = new NodeProto { OpType = "Mul", Name = factorName + "_mul" };
        mul.Input.Add(consumingNode.Input[site.DataInputIndex]);
        mul.Input.Add(factorName);
        mul.Output.Add(scaled);
        consumingNode.Input[site.DataInputIndex] = scaled;
        graph.Node.Insert(graph.Node.IndexOf(consumingNode), mul);
        return $"inserted Mul({F(factor)}) after tensor '{site.DataInput}' (site '{site.Spec.Id}')";
    }

    private static string SetInference(OnnxModel model, NodeProto node, DropoutNode dropout)
    {
        if (model.Opset < 7)
        {
            var isTest = node.Attribute.FirstOrDefault(a => a.Name == "is_test");
            if (isTest is null)
            {
                isTest = new AttributeProto { Name = "is_test", Type = AttributeProto.Types.AttributeType.Int };
                node.Attribute.Add(isTest);
            }

            isTest.I = 1;
            return $"set is_test = 1 on Dropout node '{dropout.DisplayName}'";
        }

        var name = UniqueName(model, "mlopsgate_training_mode_false");
        model.Graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Bool, RawData = ByteString.CopyFrom(0) });
        while (node.Input.Count < 3)
        {
            node.Input.Add(string.Empty);
        }

        node.Input[2] = name;
        return $"set training_mode = false on Dropout node '{dropout.DisplayName}'{(dropout.MaskUsed ? " (its mask now reads all true, as the specification defines for inference)" : string.Empty)}";
    }

    private static string UniqueName(OnnxModel model, string name)
    {
        var names = model.AllTensorNames().ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (int i = 1; names.Contains(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private static string Sanitize(string id) => new(id.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
