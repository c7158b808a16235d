using Microsoft.ML.OnnxRuntime;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Data;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using MLOpsGate.Core.Runtime;
using static MLOpsGate.Core.Checks.StaticChecks;

namespace MLOpsGate.Core.Checks;

/// <summary>
/// The checks that run the model with ONNX Runtime: determinism, optimizer dependence, outputs against
/// the reference, and each site's scale (from reference activations, else by counterfactual repair).
/// </summary>
internal sealed class DynamicChecks(
    ModelSpec spec,
    OnnxModel model,
    IReadOnlyList<DropoutNode> dropouts,
    IReadOnlyList<SiteDiagnosis> diagnoses,
    FindingCollector findings,
    List<ReportNote> notes)
{
    // Runs per batch whose mean is compared when a site is meant to stay active at inference.
    private const int ActiveSiteRuns = 32;

    private readonly Tolerance tolerance = spec.Expect.Tolerance;
    private CalibrationFeed feed = null!;
    private OrtModelSession probeSession = null!;
    private ProbeModel probe = null!;
    private IReadOnlyList<string> outputNames = [];

    public OutputMetrics? Metrics { get; private set; }

    public int CounterfactualVariants { get; private set; }

    private bool HasActiveSites => diagnoses.Any(d => d.Site.Spec.ActiveAtInference);

    public void Execute()
    {
        var undeclaredActive = dropouts
            .Where(d => d.Mode == DropoutMode.Active && SiteOf(d, diagnoses.Select(x => x.Site).ToList())?.Spec.ActiveAtInference != true)
            .ToList();
        probe = ProbeModel.Build(model, diagnoses.Select(d => d.Site).ToList(), undeclaredActive);
        using var session = new OrtModelSession(probe.Bytes, GraphOptimizationLevel.ORT_DISABLE_ALL);
        probeSession = session;
        var modelInputs = session.InputMetadata
            .Where(p => !p.Key.StartsWith(ProbeModel.FactorInputPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        feed = CalibrationFeed.Create(spec.Calibration!, modelInputs, notes);
        outputNames = model.Graph.Output.Select(o => o.Name).ToList();

        CheckRepeatability(undeclaredActive);

        var referenceStats = ReadReferenceActivations();
        bool hasOutputs = spec.Expect.Outputs is not null;
        var ones = Enumerable.Repeat(1.0, diagnoses.Count).ToArray();
        var basePass = RunPass(ones, hasOutputs);
        if (hasOutputs)
        {
            Metrics = basePass.Outputs.ToMetrics();
        }

        if (basePass.Outputs.NonFiniteCount > 0)
        {
            findings.Add(RuleCatalog.NonFiniteOutput,
                $"{basePass.Outputs.NonFiniteCount} output values are NaN or infinite on the calibration inputs",
                spec.NameLocation, fix: "check the scaling of the sites upstream and the calibration inputs' preprocessing");
        }

        var factors = ones.ToArray();
        DiagnoseFromActivations(referenceStats, basePass, factors);
        if (hasOutputs)
        {
            DiagnoseFromOutputs(basePass, factors);
        }
    }

    // ---------------------------------------------------------------- repeatability and optimizer dependence

    private void CheckRepeatability(IReadOnlyList<DropoutNode> undeclaredActive)
    {
        bool stochastic = dropouts.Count > 0 || DropoutNodes.FindRandomOps(model).Any();
        using var first = feed.Batches().First();
        var fetch = outputNames;
        var plainBytes = model.ToBytes();
        using var plain = stochastic ? new OrtModelSession(plainBytes, GraphOptimizationLevel.ORT_DISABLE_ALL) : null;
        IReadOnlyList<TensorData> RunPlain() =>
            plain is not null ? plain.Run(first.Feeds, fetch) : probeSession.Run(WithFactors(first.Feeds, Ones()), fetch);

        // The same batch twice on the SAME session: ONNX Runtime seeds random ops once per process.
        var a = RunPlain();
        var b = RunPlain();
        bool repeatable = a.Zip(b).All(p => p.First.Values.AsSpan().SequenceEqual(p.Second.Values));
        bool undeclaredStochastic = undeclaredActive.Count > 0 || DropoutNodes.FindRandomOps(model).Any();
        if (!repeatable && spec.Expect.Deterministic && (undeclaredStochastic || !HasActiveSites))
        {
            findings.Add(RuleCatalog.TrainModeDropout,
                "the same calibration batch gave different outputs on two runs of the same session",
                undeclaredActive.Count == 1 && SiteOf(undeclaredActive[0], diagnoses.Select(d => d.Site).ToList()) is { } s ? s.Spec.Location : spec.NameLocation,
                fix: "re-export in eval mode so no Dropout or random op is active at inference",
                subject: undeclaredActive.Count == 1 ? undeclaredActive[0].DisplayName : "repeatability");
        }

        if (!stochastic)
        {
            return;
        }

        var optimizedPath = Path.Combine(Path.GetTempPath(), $"mlopsgate-{Guid.NewGuid():N}.onnx");
        try
        {
            using var optimized = new OrtModelSession(plainBytes, GraphOptimizationLevel.ORT_ENABLE_ALL, optimizedPath);
            var c = optimized.Run(first.Feeds, fetch);
            bool close = a.Zip(c).All(p => p.First.Values.Zip(p.Second.Values).All(v => tolerance.IsClose(v.Second, v.First)));
            if (!close && undeclaredStochastic)
            {
                findings.Add(RuleCatalog.RuntimeDependentResult,
                    "outputs with ONNX Runtime's default graph optimizations differ from those with optimizations disabled: the optimizer removes Dropout or random nodes that the graph as written runs",
                    spec.NameLocation, fix: "re-export in eval mode so no runtime-dependent node is left");
            }

            CheckActiveSitesSurvive(optimizedPath);
        }
        finally
        {
            File.Delete(optimizedPath);
        }
    }

    private void CheckActiveSitesSurvive(string optimizedPath)
    {
        if (!HasActiveSites || !File.Exists(optimizedPath))
        {
            return;
        }

        var optimized = OnnxModel.Load(optimizedPath, Path.GetDirectoryName(optimizedPath)!);
        var remaining = optimized.Graph.Node.Where(n => n.OpType == "Dropout").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var d in diagnoses.Where(d => d.Site.Spec.ActiveAtInference))
        {
            var nodes = dropouts.Where(x => ReferenceEquals(SiteOf(x, [d.Site]), d.Site)).ToList();
            if (nodes.Count > 0 && nodes.All(n => !remaining.Contains(n.Output)))
            {
                findings.Add(RuleCatalog.ActiveDropoutRemoved,
                    $"site '{d.Site.Spec.Id}' is declared active_at_inference, but ONNX Runtime's default optimizer removes its Dropout node '{nodes[0].DisplayName}': in production it would not be active",
                    d.Site.Spec.Location, d.Site.Spec.Id,
                    fix: "run this model with graph optimizations disabled, or implement the dropout with explicit random ops");
            }
        }
    }

    // ---------------------------------------------------------------- passes over the calibration data

    private sealed class PassResult(OutputComparison outputs, UnitAccumulator?[] sites)
    {
        public OutputComparison Outputs { get; } = outputs;

        public UnitAccumulator?[] Sites { get; } = sites;
    }

    private double[] Ones() => Enumerable.Repeat(1.0, diagnoses.Count).ToArray();

    private Dictionary<string, OrtValue> WithFactors(IReadOnlyDictionary<string, OrtValue> feeds, double[] factors)
    {
        var merged = new Dictionary<string, OrtValue>(feeds, StringComparer.Ordinal);
        for (int i = 0; i < factors.Length; i++)
        {
            merged[probe.FactorInputs[i]] = OrtValue.CreateTensorValueFromMemory(new[] { (float)factors[i] }, []);
        }

        return merged;
    }

    /// <summary>One pass over the calibration rows with the given site factors.</summary>
    private PassResult RunPass(double[] factors, bool compareOutputs, bool measureSites = true)
    {
        var comparison = new OutputComparison(tolerance);
        var accumulators = new UnitAccumulator?[diagnoses.Count];
        var fetch = outputNames.Concat(measureSites ? probe.ProbeOutputs : []).Distinct(StringComparer.Ordinal).ToList();
        using var references = compareOutputs ? OpenOutputReferences() : null;
        int repeats = HasActiveSites ? ActiveSiteRuns : 1;
        foreach (var batch in feed.Batches())
        {
            var feeds = WithFactors(batch.Feeds, factors);
            try
            {
                var results = probeSession.Run(feeds, fetch);
                var outputs = results.Take(outputNames.Count).ToList();
                double[][]? extraTolerance = null;
                if (repeats > 1)
                {
                    (outputs, extraTolerance) = MeanOfRuns(feeds, outputs, repeats);
                }

                for (int o = 0; o < outputs.Count; o++)
                {
                    if (references is null)
                    {
                        comparison.AddUnreferenced(outputs[o].Values);
                        continue;
                    }

                    var expected = references.Read(o, batch.Rows, outputs[o].Values.Length / batch.Rows);
                    if (expected is not null)
                    {
                        comparison.Add(outputs[o].Values, expected, batch.Rows, countSamples: o == 0, extraTolerance?[o]);
                    }
                }

                if (measureSites)
                {
                    for (int i = 0; i < diagnoses.Count; i++)
                    {
                        var probeData = results[fetch.IndexOf(probe.ProbeOutputs[i])];
                        int axis = diagnoses[i].Site.UnitAxis(probeData.Shape.Length);
                        accumulators[i] ??= new UnitAccumulator((int)probeData.Shape[axis]);
                        accumulators[i]!.Add(probeData.Values, probeData.Shape, axis);
                    }
                }
            }
            finally
            {
                foreach (var name in probe.FactorInputs)
                {
                    feeds[name].Dispose();
                }
            }
        }

        return new PassResult(comparison, accumulators);
    }

    private (List<TensorData> Means, double[][] StandardErrors) MeanOfRuns(Dictionary<string, OrtValue> feeds, List<TensorData> first, int runs)
    {
        var sums = first.Select(t => t.Values.ToArray()).ToList();
        var squares = first.Select(t => t.Values.Select(v => v * v).ToArray()).ToList();
        for (int r = 1; r < runs; r++)
        {
            var again = probeSession.Run(feeds, outputNames);
            for (int o = 0; o < again.Count; o++)
            {
                for (int k = 0; k < again[o].Values.Length; k++)
                {
                    sums[o][k] += again[o].Values[k];
                    squares[o][k] += again[o].Values[k] * again[o].Values[k];
                }
            }
        }

        var means = sums.Select((s, o) => new TensorData(s.Select(v => v / runs).ToArray(), first[o].Shape)).ToList();
        var errors = sums.Select((s, o) => s.Select((sum, k) =>
        {
            double mean = sum / runs;
            double variance = Math.Max(0, (squares[o][k] - runs * mean * mean) / (runs - 1));
            return 4 * Math.Sqrt(variance / runs);
        }).ToArray()).ToArray();
        return (means, errors);
    }

    // ---------------------------------------------------------------- references

    private sealed class OutputReferences(ArraySource source, List<IArrayReader?> readers, ManifestFile file) : IDisposable
    {
        public ArraySource Source => source;

        public double[]? Read(int output, int rows, int rowLength)
        {
            var reader = readers[output];
            if (reader is null)
            {
                return null;
            }

            if (reader.RowLength != rowLength)
            {
                throw new GateInputException(
                    $"'{reader.DisplayName}' rows hold {reader.RowLength} values but the model's output has {rowLength} per sample; save the outputs of the same model, one row per sample.", file.Location);
            }

            var buffer = new double[rows * rowLength];
            ManifestData.Wrap(file, () => reader.ReadRows(buffer, rows));
            return buffer;
        }

        public void Dispose()
        {
            foreach (var reader in readers)
            {
                reader?.Dispose();
            }

            source.Dispose();
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The archive is owned and disposed by the returned OutputReferences.")]
    private OutputReferences OpenOutputReferences()
    {
        var file = spec.Expect.Outputs!;
        var readers = new List<IArrayReader?>();
        var references = new OutputReferences(ManifestData.Open(file), readers, file);
        var source = references.Source;
        for (int o = 0; o < outputNames.Count; o++)
        {
            string? key;
            if (source.IsSingleArray)
            {
                key = o == 0 ? null : string.Empty;
            }
            else
            {
                key = source.Keys.Contains(outputNames[o]) ? outputNames[o] : string.Empty;
            }

            if (key == string.Empty)
            {
                readers.Add(null);
                continue;
            }

            var reader = ManifestData.OpenArray(file, source, key);
            readers.Add(reader);
            if (reader.RowCount != feed.TotalRows)
            {
                references.Dispose();
                throw new GateInputException(
                    $"'{reader.DisplayName}' has {reader.RowCount} rows but the calibration inputs have {feed.TotalRows}; row i of the reference must be the output for input row i.", file.Location);
            }
        }

        if (readers.All(r => r is null))
        {
            references.Dispose();
            throw new GateInputException(
                $"'{file.Value}' has no array for any model output ({string.Join(", ", outputNames)}); key each array by output name, or save a single array as .npy.", file.Location);
        }

        return references;
    }

    /// <summary>Per-unit reference standard deviations of each site's consuming-layer output, by site index.</summary>
    private Dictionary<int, double[]> ReadReferenceActivations()
    {
        var result = new Dictionary<int, double[]>();
        var file = spec.Expect.Activations;
        if (file is null)
        {
            return result;
        }

        if (file.FullPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var stats = ManifestData.Wrap(file, () => ActivationStatsJson.Read(file.FullPath, file.Value));
            for (int i = 0; i < diagnoses.Count; i++)
            {
                if (stats.TryGetValue(diagnoses[i].Site.Spec.Id, out var unit))
                {
                    result[i] = unit.Std;
                }
            }
        }
        else
        {
            using var source = ManifestData.Open(file);
            for (int i = 0; i < diagnoses.Count; i++)
            {
                var id = diagnoses[i].Site.Spec.Id;
                if (!source.Keys.Contains(id))
                {
                    continue;
                }

                using var reader = ManifestData.OpenArray(file, source, id);
                if (reader.RowCount != feed.TotalRows)
                {
                    throw new GateInputException(
                        $"'{reader.DisplayName}' has {reader.RowCount} rows but the calibration inputs have {feed.TotalRows}; row i must be the activations for input row i.", file.Location);
                }

                var shape = reader.Shape.ToArray();
                int axis = diagnoses[i].Site.UnitAxis(shape.Length);
                var accumulator = new UnitAccumulator((int)shape[axis]);
                const int chunk = 256;
                var buffer = new double[chunk * reader.RowLength];
                long left = feed.Rows;
                while (left > 0)
                {
                    int rows = ManifestData.Wrap(file, () => reader.ReadRows(buffer, (int)Math.Min(chunk, left)));
                    if (rows == 0)
                    {
                        break;
                    }

                    shape[0] = rows;
                    accumulator.Add(buffer.AsSpan(0, rows * reader.RowLength), shape, axis);
                    left -= rows;
                }

                result[i] = accumulator.StandardDeviations();
            }
        }

        foreach (var d in diagnoses.Where((d, i) => !result.ContainsKey(i)))
        {
            notes.Add(new ReportNote($"'{file.Value}' has no reference activations for site '{d.Site.Spec.Id}'", d.Site.Spec.Id));
        }

        return result;
    }

    // ---------------------------------------------------------------- site diagnosis

    private void DiagnoseFromActivations(Dictionary<int, double[]> referenceStats, PassResult basePass, double[] factors)
    {
        var pass = basePass;
        for (int i = 0; i < diagnoses.Count; i++)
        {
            var d = diagnoses[i];
            if (!referenceStats.TryGetValue(i, out var referenceStd) || d.Site.Spec.ActiveAtInference)
            {
                continue;
            }

            double Measure(PassResult p)
            {
                var actual = p.Sites[i]!.StandardDeviations();
                if (actual.Length != referenceStd.Length)
                {
                    throw new GateInputException(
                        $"reference activations for site '{d.Site.Spec.Id}' have {referenceStd.Length} units but the layer after it has {actual.Length}; save the consuming layer's output (pre-activation).",
                        spec.Expect.Activations!.Location);
                }

                return UnitAccumulator.PooledScale(actual, referenceStd);
            }

            double raw = Measure(basePass);
            double own = Measure(pass);
            d.RawScale = raw;
            d.EstimatedScale = own;
            d.Evidence = EvidenceKind.Activations;
            var cls = ScaleClassifier.Classify(own, d.Site.Spec, spec.Convention);
            Conclude(d, cls, own, "activations after site", raw);
            if (!cls.IsOk)
            {
                factors[i] = 1.0 / (cls.CandidateScale ?? own);
                if (i < diagnoses.Count - 1)
                {
                    pass = RunPass(factors, compareOutputs: false);
                }
            }
        }
    }

    private void DiagnoseFromOutputs(PassResult basePass, double[] factors)
    {
        if (basePass.Outputs.AllClose)
        {
            foreach (var d in diagnoses.Where(d => d.Evidence is null))
            {
                d.Evidence = EvidenceKind.Outputs;
                d.EstimatedScale = 1.0;
                d.Status = SiteStatus.Ok;
            }

            return;
        }

        bool corrected = factors.Any(f => f != 1.0);
        var unknown = diagnoses.Select((d, i) => (d, i)).Where(p => p.d.Evidence is null && !p.d.Site.Spec.ActiveAtInference).Select(p => p.i).ToList();
        var current = corrected ? RunPass(factors, compareOutputs: true, measureSites: false) : basePass;
        if (corrected && current.Outputs.AllClose)
        {
            MarkUnknownOk(unknown, factors);
            return;
        }

        if (unknown.Count > 0 && CounterfactualRepair(unknown, factors))
        {
            return;
        }

        if (!findings.Has(RuleCatalog.TrainModeDropout) && !findings.Has(RuleCatalog.RuntimeDependentResult))
        {
            var m = current.Outputs.ToMetrics();
            findings.Add(RuleCatalog.OutputMismatch,
                $"outputs differ from the reference beyond tolerance (max abs error {m.MaxAbsError:0.###e+0}, {m.MismatchFraction:P1} of values outside atol {tolerance.Atol:g3} + rtol {tolerance.Rtol:g3}·|ref|){(corrected ? " even after correcting the diagnosed sites" : string.Empty)}{(unknown.Count > 0 ? "; no combination of keep-factor corrections at the declared sites repairs them" : string.Empty)}",
                spec.NameLocation,
                fix: "check that the reference comes from the same model in inference mode with the same preprocessing, and the declared rates and convention");
        }
    }

    private void MarkUnknownOk(List<int> unknown, double[] factors)
    {
        foreach (var i in unknown)
        {
            diagnoses[i].Evidence = EvidenceKind.Outputs;
            diagnoses[i].EstimatedScale = 1.0 / factors[i];
            diagnoses[i].Status = SiteStatus.Ok;
        }
    }

    /// <summary>
    /// Searches the candidate repairing factors (1, keep, 1/keep, keep/p) jointly over the sites with no
    /// other evidence — every combination up to four sites, greedily in topological order beyond — and
    /// keeps the first assignment (fewest corrections first) that brings the outputs within tolerance.
    /// </summary>
    private bool CounterfactualRepair(List<int> unknown, double[] factors)
    {
        var candidates = unknown.ToDictionary(i => i, i =>
        {
            var s = diagnoses[i].Site.Spec;
            return new[] { 1.0, s.Keep, 1.0 / s.Keep, s.Keep / s.Rate }.Distinct().ToArray();
        });

        (bool Close, double Error) Evaluate(double[] trial)
        {
            CounterfactualVariants++;
            var result = RunPass(trial, compareOutputs: true, measureSites: false).Outputs;
            return (result.AllClose, result.Elements > 0 ? (double)result.Mismatches / result.Elements : 1);
        }

        double[]? repaired = null;
        if (unknown.Count <= 4)
        {
            var assignments = Cartesian(unknown.Select(i => candidates[i]).ToList())
                .OrderBy(a => a.Count(f => f != 1.0))
                .Skip(1); // all ones: already known not to be close
            foreach (var assignment in assignments)
            {
                var trial = factors.ToArray();
                for (int k = 0; k < unknown.Count; k++)
                {
                    trial[unknown[k]] = assignment[k];
                }

                if (Evaluate(trial).Close)
                {
                    repaired = trial;
                    break;
                }
            }
        }
        else
        {
            var trial = factors.ToArray();
            foreach (var i in unknown)
            {
                var best = candidates[i].Select(c =>
                {
                    var t = trial.ToArray();
                    t[i] = c;
                    return (c, Evaluate(t));
                }).OrderBy(r => r.Item2.Error).First();
                trial[i] = best.c;
            }

            if (Evaluate(trial).Close)
            {
                repaired = trial;
            }
        }

        if (repaired is null)
        {
            return false;
        }

        foreach (var i in unknown)
        {
            var d = diagnoses[i];
            double scale = 1.0 / repaired[i];
            d.Evidence = EvidenceKind.Outputs;
            d.EstimatedScale = scale;
            d.RawScale = null;
            Conclude(d, ScaleClassifier.Classify(scale, d.Site.Spec, spec.Convention), scale, "counterfactual repair of the outputs says site", null);
        }

        Array.Copy(repaired, factors, factors.Length);
        return true;
    }

    private static IEnumerable<double[]> Cartesian(IReadOnlyList<double[]> sets)
    {
        IEnumerable<double[]> result = [[]];
        foreach (var set in sets)
        {
            result = result.SelectMany(prefix => set.Select(v => prefix.Append(v).ToArray())).ToList();
        }

        return result;
    }

    /// <summary>Sets the site's status and reports its fault, if any, with what was measured, what was expected, and the fix.</summary>
    private void Conclude(SiteDiagnosis d, ScaleClass cls, double scale, string measuredBy, double? raw)
    {
        var site = d.Site;
        var s = site.Spec;
        if (cls.SwapUndetectable && spec.Convention == DropoutConvention.Standard)
        {
            notes.Add(new ReportNote($"a keep/drop swap cannot be detected at p = 0.5 (p/keep = 1) for site '{s.Id}'", s.Id));
        }

        if (cls.IsOk)
        {
            bool inherited = raw is { } r && !ScaleClassifier.Classify(r, s, spec.Convention).IsOk;
            d.Status = inherited ? SiteStatus.Consequence : SiteStatus.Ok;
            AddPlacementNote(site);
            return;
        }

        d.Status = SiteStatus.Diverged;
        double correction = 1.0 / (cls.CandidateScale ?? scale);
        string expectation = spec.Convention == DropoutConvention.Standard
            ? $"standard dropout p={F(s.Rate)} needs keep = {F(s.Keep)} in the export"
            : $"inverted dropout p={F(s.Rate)} needs no compensation";
        string meaning = cls.Rule!.Id switch
        {
            "MLG003" => $"= 1/keep: the keep factor {F(s.Keep)} is missing",
            "MLG004" => $"= keep: the keep factor {F(s.Keep)} is applied although {(spec.Convention == DropoutConvention.Inverted ? "inverted dropout already rescales in training" : "the model was already compensated")}",
            "MLG013" => $"= p/keep: the export multiplied by p = {F(s.Rate)} instead of keep = {F(s.Keep)}",
            _ => cls.ExplainingRate is { } rate
                ? $"matches no candidate for p={F(s.Rate)}, but is what a keep factor for p={F(rate)} gives"
                : $"matches no candidate for p={F(s.Rate)} (1, 1/keep = {F(1 / s.Keep)}, keep = {F(s.Keep)}, p/keep = {F(s.Rate / s.Keep)})",
        };
        string fix = FixFor(site, correction);
        findings.Add(cls.Rule,
            $"{measuredBy} {s.Id} {(measuredBy.EndsWith("site", StringComparison.Ordinal) ? "is" : "are")} {scale:0.00}x the reference {meaning}; {expectation}: {fix}",
            s.Location, s.Id, fix: $"{fix}, or run: mlopsgate fix --model {spec.Name} --output FILE",
            estimatedScale: scale, explainingRate: cls.Rule == RuleCatalog.OutputMismatch ? cls.ExplainingRate : null);
    }

    private static string FixFor(ResolvedSite site, double correction)
    {
        var extra = site.Compensation.FirstOrDefault(c => Math.Abs(c.Factor * correction - 1.0) < 0.02);
        if (extra is not null)
        {
            return $"remove node '{extra.Node.Name}' (it multiplies by {F(extra.Factor)})";
        }

        return site.WeightName is not null
            ? $"multiply initializer '{site.WeightName}' by {F(correction)}"
            : $"insert Mul({F(correction)}) after tensor '{site.DataInput}'";
    }

    private void AddPlacementNote(ResolvedSite site)
    {
        if (spec.Convention != DropoutConvention.Standard)
        {
            return;
        }

        bool nodeVisible = Math.Abs(site.GraphFactor - site.Spec.Keep) < 1e-3;
        if (spec.Compensation == CompensationPlace.Node && !nodeVisible)
        {
            notes.Add(new ReportNote($"the scale at site '{site.Spec.Id}' is right, but no compensating node is visible (`compensation: node`): the keep factor appears to be folded into the weights", site.Spec.Id));
        }
        else if (spec.Compensation == CompensationPlace.Weights && nodeVisible)
        {
            notes.Add(new ReportNote($"the scale at site '{site.Spec.Id}' is right, but the keep factor sits in node '{site.Compensation[0].Node.Name}', not in the weights (`compensation: weights`)", site.Spec.Id));
        }
    }
}
