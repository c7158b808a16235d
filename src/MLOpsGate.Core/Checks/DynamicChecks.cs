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
    List<ReportNote> notes,
    SiteConclusions conclusions)
{
    // Runs per batch whose mean is compared when a site is meant to stay active at inference.
    private const int ActiveSiteRuns = 32;


    private readonly Tolerance tolerance = spec.Expect.Tolerance;
    private CalibrationFeed feed = null!;
    private OrtModelSession probeSession = null!;
    private ProbeModel probe = null!;
    private IReadOnlyList<string> outputNames = [];
    private IReadOnlyList<SaturationProbe> saturation = [];

    // The counterfactual assignment that came closest to repairing the outputs, for MLG007's message.
    private double closestError = double.PositiveInfinity;
    private string? closestAssignment;

    public OutputMetrics? Metrics { get; private set; }

    public int CounterfactualVariants { get; private set; }

    private bool HasActiveSites => diagnoses.Any(d => d.Site.Spec.ActiveAtInference);

    public void Execute()
    {
        var undeclaredActive = dropouts
            .Where(d => d.Mode == DropoutMode.Active && SiteOf(d, diagnoses.Select(x => x.Site).ToList())?.Spec.ActiveAtInference != true)
            .ToList();
        saturation = spec.Expect.SaturationMaxIncrease is null ? [] : SaturationProbe.Find(model, diagnoses.Select(d => d.Site).ToList());
        probe = ProbeModel.Build(model, diagnoses.Select(d => d.Site).ToList(), undeclaredActive, saturation.Select(s => s.Tensor));
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

        CheckSaturation();
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

            // Two runs of a random node differ anyway; the optimizer is to blame only when it removed one.
            if (!close && undeclaredStochastic && RemovedByOptimizer(optimizedPath, undeclaredActive) is { Count: > 0 } removed)
            {
                findings.Add(RuleCatalog.RuntimeDependentResult,
                    $"outputs with ONNX Runtime's default graph optimizations differ from those with optimizations disabled: the optimizer removes {string.Join(", ", removed.Select(n => $"'{n}'"))}, which the graph as written runs",
                    spec.NameLocation, fix: "re-export in eval mode so no runtime-dependent node is left");
            }

            CheckActiveSitesSurvive(optimizedPath);
        }
        finally
        {
            File.Delete(optimizedPath);
        }
    }

    /// <summary>Active Dropout and random nodes of the original graph that the optimized graph no longer runs.</summary>
    private List<string> RemovedByOptimizer(string optimizedPath, IReadOnlyList<DropoutNode> undeclaredActive)
    {
        var kept = OptimizedOutputs(optimizedPath);
        return undeclaredActive.Where(d => !kept.Contains(d.Output)).Select(d => d.DisplayName)
            .Concat(DropoutNodes.FindRandomOps(model).Where(n => !kept.Contains(n.Output[0])).Select(n => n.Name.Length > 0 ? n.Name : n.OpType))
            .ToList();
    }

    private static HashSet<string> OptimizedOutputs(string optimizedPath) => File.Exists(optimizedPath)
        ? OnnxModel.Load(optimizedPath, Path.GetDirectoryName(optimizedPath)!).Graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal)
        : [];

    private void CheckActiveSitesSurvive(string optimizedPath)
    {
        if (!HasActiveSites || !File.Exists(optimizedPath))
        {
            return;
        }

        var remaining = OptimizedOutputs(optimizedPath);
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

    /// <summary>MLG008: the share of saturated tanh/sigmoid units downstream of a site, against the reference.</summary>
    private void CheckSaturation()
    {
        double allowed = spec.Expect.SaturationMaxIncrease ?? 0;
        foreach (var s in saturation.Where(s => s.Reference.Count > 0 && s.Actual.Count > 0))
        {
            double actual = s.Actual.Fraction, reference = s.Reference.Fraction;
            if (actual - reference > allowed)
            {
                var site = diagnoses[s.Site].Site.Spec;
                findings.Add(RuleCatalog.ActivationSaturation,
                    $"{actual:P1} of the {s.OpType} units at '{s.Tensor}' after site '{site.Id}' are saturated, against {reference:P1} in the reference (allowed rise: {allowed:P1})",
                    site.Location, site.Id, fix: "correct the site's scaling (see the MLG003/MLG004 finding), then re-check",
                    subject: s.Tensor);
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
        var fetch = outputNames.Concat(measureSites ? probe.ProbeOutputs.Concat(saturation.Select(s => s.Tensor)) : []).Distinct(StringComparer.Ordinal).ToList();
        using var references = compareOutputs ? OpenOutputReferences() : null;
        int repeats = HasActiveSites ? ActiveSiteRuns : 1;
        foreach (var batch in feed.Batches())
        {
            using var owned = batch;
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
                        if (measureSites)
                        {
                            foreach (var s in saturation.Where(s => s.ReferenceOutput == o))
                            {
                                s.Reference.Add(expected, applyActivation: false);
                            }
                        }
                    }
                }

                if (measureSites)
                {
                    foreach (var s in saturation)
                    {
                        s.Actual.Add(results[fetch.IndexOf(s.Tensor)].Values, applyActivation: false);
                    }

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
        var errors = new double[sums.Count][];
        for (int o = 0; o < sums.Count; o++)
        {
            var shape = first[o].Shape;
            int columns = shape.Length > 1 ? (int)(sums[o].Length / shape[0]) : sums[o].Length;
            var variance = new double[sums[o].Length];
            var columnMean = new double[columns];
            for (int k = 0; k < variance.Length; k++)
            {
                double mean = sums[o][k] / runs;
                variance[k] = Math.Max(0, (squares[o][k] - (runs * mean * mean)) / (runs - 1));
                columnMean[k % columns] += variance[k] * columns / variance.Length;
            }

            // An element's variance from 32 runs is noisy (a unit that stayed dead in every run reads 0), so it
            // is floored by the mean variance of its output unit over the batch. Four standard errors of the
            // DIFFERENCE of two means: the reference is itself a mean over as many runs.
            errors[o] = variance.Select((v, k) => 4 * Math.Sqrt(2 * Math.Max(v, columnMean[k % columns]) / runs)).ToArray();
        }

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
                    foreach (var s in saturation.Where(s => s.ReferenceSite == i))
                    {
                        s.Reference.Add(buffer.AsSpan(0, rows * reader.RowLength), applyActivation: true);
                    }
                    left -= rows;
                }

                result[i] = accumulator.StandardDeviations();
            }
        }

        // Declared evidence that cannot be used must not quietly fall back to weaker evidence.
        var missing = diagnoses.Where((d, i) => !result.ContainsKey(i) && !d.Site.Spec.ActiveAtInference).Select(d => $"'{d.Site.Spec.Id}'").ToList();
        if (missing.Count > 0)
        {
            throw new GateInputException(
                $"'{file.Value}' has no reference activations for site {string.Join(", ", missing)}; key each site's consuming-layer output by the site id, or remove `activations`.", file.Location);
        }

        if (feed.Rows < 2)
        {
            throw new GateInputException(
                $"per-unit spread needs at least 2 calibration samples, and {feed.Rows} is run; raise `limit` or add samples.", spec.Calibration!.Inputs.Location);
        }

        return result;
    }

    // ---------------------------------------------------------------- site diagnosis

    /// <summary>
    /// Sites in topological order: each measured after every upstream fault has been corrected in memory,
    /// so each reports its own factor. A checkpoint diagnosis stands (it is the stronger evidence) and a
    /// disagreeing activation measurement is reported as MLG007.
    /// </summary>
    private void DiagnoseFromActivations(Dictionary<int, double[]> referenceStats, PassResult basePass, double[] factors)
    {
        var pass = basePass;
        bool stale = false;
        for (int i = 0; i < diagnoses.Count; i++)
        {
            var d = diagnoses[i];
            bool hasActivations = referenceStats.TryGetValue(i, out var referenceStd) && !d.Site.Spec.ActiveAtInference;
            if (hasActivations && stale)
            {
                pass = RunPass(factors, compareOutputs: false);
                stale = false;
            }

            if (d.Evidence == EvidenceKind.Checkpoint)
            {
                if (hasActivations)
                {
                    CompareWithCheckpoint(d, Measure(d, pass, referenceStd!));
                }
            }
            else if (hasActivations)
            {
                double raw = Measure(d, basePass, referenceStd!);
                double own = Measure(d, pass, referenceStd!);
                d.RawScale = raw;
                d.EstimatedScale = own;
                d.Evidence = EvidenceKind.Activations;
                conclusions.Conclude(d, ScaleClassifier.Classify(own, d.Site.Spec, spec.Convention), own, $"activations after site {d.Site.Spec.Id} are", raw);
            }

            if (d.CorrectionFactor != 1.0)
            {
                factors[i] = d.CorrectionFactor;
                stale = true;
            }
        }
    }

    private double Measure(SiteDiagnosis d, PassResult pass, double[] referenceStd)
    {
        var actual = pass.Sites[diagnoses.ToList().IndexOf(d)]!.StandardDeviations();
        if (actual.Length != referenceStd.Length)
        {
            throw new GateInputException(
                $"reference activations for site '{d.Site.Spec.Id}' have {referenceStd.Length} units but the layer after it has {actual.Length}; save the consuming layer's output (pre-activation).",
                spec.Expect.Activations!.Location);
        }

        var scale = UnitAccumulator.PooledScale(actual, referenceStd);
        if (!double.IsFinite(scale))
        {
            throw new GateInputException(
                $"reference activations for site '{d.Site.Spec.Id}' do not vary across the calibration samples, so no scale can be measured; use more varied calibration inputs.",
                spec.Expect.Activations!.Location);
        }

        return scale;
    }

    private void CompareWithCheckpoint(SiteDiagnosis d, double measured)
    {
        var fromCheckpoint = ScaleClassifier.Classify(d.EstimatedScale!.Value, d.Site.Spec, spec.Convention);
        var fromActivations = ScaleClassifier.Classify(measured, d.Site.Spec, spec.Convention);
        if (fromCheckpoint.Rule != fromActivations.Rule || Math.Abs(Math.Log(measured / d.EstimatedScale.Value)) > Math.Log(1.1))
        {
            findings.Add(RuleCatalog.OutputMismatch,
                $"site '{d.Site.Spec.Id}': the checkpoint says {d.EstimatedScale:0.00}x but the activations measure {measured:0.00}x the reference; the evidence disagrees (the checkpoint decides the site's status)",
                d.Site.Spec.Location, d.Site.Spec.Id,
                fix: "check that the checkpoint, the reference activations and the artifact come from the same training run",
                subject: d.Site.Spec.Id + "#evidence");
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

        if (unknown.Count == 1 && ContinuousRepair(unknown[0], factors))
        {
            return;
        }

        if (!findings.Has(RuleCatalog.TrainModeDropout) && !findings.Has(RuleCatalog.RuntimeDependentResult))
        {
            var m = current.Outputs.ToMetrics();
            findings.Add(RuleCatalog.OutputMismatch,
                $"outputs differ from the reference beyond tolerance (max abs error {m.MaxAbsError:0.###e+0}, {m.MismatchFraction:P1} of values outside atol {tolerance.Atol:g3} + rtol {tolerance.Rtol:g3}·|ref|){(corrected ? " even after correcting the diagnosed sites" : string.Empty)}{(unknown.Count > 0 ? $"; no combination of keep-factor corrections at the declared sites repairs them{(closestAssignment is null ? string.Empty : $" (closest: {closestAssignment}, leaving {closestError:P1} of values outside)")}" : string.Empty)}",
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
            double error = result.Elements > 0 ? (double)result.Mismatches / result.Elements : 1;
            if (error < closestError)
            {
                (closestError, closestAssignment) = (error, string.Join(", ", unknown.Select(i => $"{diagnoses[i].Site.Spec.Id} x{F(trial[i])}")));
            }

            return (result.AllClose, error);
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
            conclusions.Conclude(d, ScaleClassifier.Classify(scale, d.Site.Spec, spec.Convention), scale, $"counterfactual repair of the outputs puts site {d.Site.Spec.Id} at", null);
        }

        Array.Copy(repaired, factors, factors.Length);
        return true;
    }

    /// <summary>
    /// One suspect site whose candidates all fail: search its factor continuously (golden section on the
    /// log factor, minimising the squared output error); a factor that repairs the outputs is reported
    /// with the rate that explains it.
    /// </summary>
    private bool ContinuousRepair(int site, double[] factors)
    {
        double Error(double logFactor)
        {
            CounterfactualVariants++;
            var trial = factors.ToArray();
            trial[site] = Math.Exp(logFactor);
            return RunPass(trial, compareOutputs: true, measureSites: false).Outputs.SquaredError;
        }

        double lo = Math.Log(1.0 / 8), hi = Math.Log(8.0);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - (ratio * (hi - lo)), x2 = lo + (ratio * (hi - lo));
        double f1 = Error(x1), f2 = Error(x2);
        while (hi - lo > 1e-4)
        {
            if (f1 < f2)
            {
                (hi, x2, f2) = (x2, x1, f1);
                x1 = hi - (ratio * (hi - lo));
                f1 = Error(x1);
            }
            else
            {
                (lo, x1, f1) = (x1, x2, f2);
                x2 = lo + (ratio * (hi - lo));
                f2 = Error(x2);
            }
        }

        var best = factors.ToArray();
        best[site] = Math.Exp((lo + hi) / 2);
        CounterfactualVariants++;
        if (!RunPass(best, compareOutputs: true, measureSites: false).Outputs.AllClose)
        {
            return false;
        }

        var d = diagnoses[site];
        double scale = 1.0 / best[site];
        d.Evidence = EvidenceKind.Outputs;
        d.EstimatedScale = scale;
        conclusions.Conclude(d, ScaleClassifier.Classify(scale, d.Site.Spec, spec.Convention), scale,
            $"a continuous search for the factor that repairs the outputs puts site {d.Site.Spec.Id} at", null);
        Array.Copy(best, factors, factors.Length);
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
}
