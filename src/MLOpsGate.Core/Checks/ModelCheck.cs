using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLOpsGate.Core.Analysis;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using MLOpsGate.Core.Runtime;
using static MLOpsGate.Core.Checks.StaticChecks;

namespace MLOpsGate.Core.Checks;

public enum FailOn { Error, Warning, Never }

/// <summary>Runs every check of one manifest model and returns its report.</summary>
public sealed class ModelCheck
{
    private readonly GateManifest manifest;
    private readonly ModelSpec spec;
    private readonly FailOn failOn;
    private readonly FindingCollector findings;
    private readonly List<ReportNote> notes = [];
    private readonly HashSet<string> filesRead = new(StringComparer.Ordinal);

    public ModelCheck(GateManifest manifest, ModelSpec spec, FailOn failOn)
    {
        this.manifest = manifest;
        this.spec = spec;
        this.failOn = failOn;
        findings = new FindingCollector(spec, RelativeToWorkspace(manifest, manifest.FullPath));
    }

    /// <summary>The loaded model, once the check has run (null when it could not be loaded).</summary>
    public OnnxModel? Model { get; private set; }

    /// <summary>Each located site with its diagnosis and in-memory correction, once the check has run.</summary>
    public IReadOnlyList<SiteDiagnosis> SiteDiagnoses { get; private set; } = [];

    /// <summary>The Dropout nodes of the graph as their opset defines them.</summary>
    public IReadOnlyList<DropoutNode> DropoutNodes { get; private set; } = [];

    /// <summary>Absolute paths of every file this check read (for incremental builds).</summary>
    public IReadOnlyCollection<string> FilesRead => filesRead;

    public ModelReport Run()
    {
        var clock = Stopwatch.StartNew();
        var sites = new List<SiteReport>();
        OutputMetrics? metrics = null;
        int variants = 0;
        try
        {
            if (CheckFilesExist())
            {
                var model = LoadModel();
                Model = model;
                if (model is not null)
                {
                    var outcome = Diagnose(model);
                    sites = outcome.Sites;
                    metrics = outcome.Metrics;
                    variants = outcome.CounterfactualVariants;
                }
            }
        }
        catch (GateInputException ex)
        {
            findings.Add(RuleCatalog.ArtifactUnreadable, ex.Message, ex.Location, subject: "data");
        }
        catch (OnnxRuntimeException ex)
        {
            findings.Add(RuleCatalog.ArtifactUnreadable,
                $"ONNX Runtime cannot run '{spec.Artifact.Value}': {FirstLine(ex.Message)}",
                spec.Artifact.Location, subject: "runtime",
                fix: "check that the model loads with onnxruntime in Python and that the calibration data matches its inputs");
        }

        return new ModelReport
        {
            Name = spec.Name,
            Artifact = RelativeToWorkspace(manifest, spec.Artifact.FullPath),
            Verdict = VerdictOf(findings, failOn),
            DurationMs = clock.ElapsedMilliseconds,
            Metrics = metrics,
            Sites = sites,
            Notes = notes,
            CounterfactualVariants = variants,
            Findings = findings.Findings,
        };
    }

    public static Verdict VerdictOf(FindingCollector findings, FailOn failOn)
    {
        if (findings.CouldNotRun)
        {
            return Verdict.Error;
        }

        var threshold = failOn switch
        {
            FailOn.Error => Severity.Error,
            FailOn.Warning => Severity.Warning,
            _ => (Severity?)null,
        };
        return threshold is { } t && findings.Findings.Any(f => f.Severity >= t) ? Verdict.Fail : Verdict.Pass;
    }

    public static string RelativeToWorkspace(GateManifest manifest, string path) =>
        WorkspacePaths.ToWorkspaceRelative(path, manifest.WorkspaceRoot);

    private bool CheckFilesExist()
    {
        var files = new List<ManifestFile?> { spec.Artifact, spec.Calibration?.Inputs, spec.Expect.Outputs, spec.Expect.Activations, spec.Expect.Checkpoint };
        bool allThere = true;
        foreach (var file in files.OfType<ManifestFile>())
        {
            if (!File.Exists(file.FullPath))
            {
                findings.Add(RuleCatalog.ArtifactUnreadable,
                    $"{file.Key} file '{file.Value}' does not exist (resolved against the manifest's folder)",
                    file.Location, subject: file.Key, fix: $"correct `{file.Key}` or generate the file");
                allThere = false;
            }
            else
            {
                filesRead.Add(file.FullPath);
            }
        }

        return allThere;
    }

    private OnnxModel? LoadModel()
    {
        try
        {
            var model = OnnxModel.Load(spec.Artifact.FullPath, manifest.WorkspaceRoot);
            foreach (var external in model.ExternalDataFiles)
            {
                filesRead.Add(external);
            }

            return model;
        }
        catch (ModelLoadException ex)
        {
            findings.Add(RuleCatalog.ArtifactUnreadable, ex.Message.Replace(spec.Artifact.FullPath, spec.Artifact.Value, StringComparison.Ordinal),
                spec.Artifact.Location, subject: "artifact", fix: "re-export the model, or point `artifact` at the .onnx file", messageHasFix: true);
            return null;
        }
    }

    private sealed record Outcome(List<SiteReport> Sites, OutputMetrics? Metrics, int CounterfactualVariants);

    private Outcome Diagnose(OnnxModel model)
    {
        CheckDeclarations(spec, model, findings);
        var dropouts = Analysis.DropoutNodes.Find(model);
        DropoutNodes = dropouts;
        var (resolved, unresolved) = SiteLocator.Locate(model, spec.Sites);
        CheckUnresolvedSites(unresolved, findings);
        CheckDropoutNodes(spec, model, dropouts, resolved, findings);

        var diagnoses = resolved.Select(s => new SiteDiagnosis(s)).ToList();
        SiteDiagnoses = diagnoses;
        if (spec.Sites.Count == 0)
        {
            notes.Add(new ReportNote("no dropout sites are declared, so no scale was checked: only the graph's Dropout and random nodes and the outputs were; declare the layers that consumed dropped activations"));
        }

        var conclusions = new SiteConclusions(spec, findings, notes);
        if (spec.Expect.Checkpoint is not null)
        {
            CheckpointEvidence.Apply(spec, model, diagnoses, conclusions, notes);
        }

        OutputMetrics? metrics = null;
        int variants = 0;
        if (spec.Calibration is not null)
        {
            if (model.Opset < 7)
            {
                findings.Add(RuleCatalog.ArtifactUnreadable,
                    $"the model uses opset {model.Opset}, but ONNX Runtime runs only opset 7 and later, so the declared calibration cannot run",
                    spec.Calibration.Inputs.Location, subject: "opset",
                    fix: "convert the model: onnx.version_converter.convert_version(model, 13), or remove `calibration` for static checks only");
            }
            else
            {
                var run = new DynamicChecks(spec, model, dropouts, diagnoses, findings, notes, conclusions);
                run.Execute();
                metrics = run.Metrics;
                variants = run.CounterfactualVariants;
            }
        }

        if (!findings.CouldNotRun)
        {
            ApplyGraphEvidence(diagnoses);
        }

        var reports = diagnoses.Select(d => d.ToReport()).ToList();
        reports.AddRange(unresolved.Select(u => new SiteReport { Id = u.Spec.Id, Rate = u.Spec.Rate, Status = SiteStatus.NotFound }));
        var order = spec.Sites.Select((s, i) => (s, i)).ToDictionary(p => p.s.Id, p => p.i, StringComparer.Ordinal);
        return new Outcome(reports.OrderBy(r => order.GetValueOrDefault(r.Id)).ToList(), metrics, variants);
    }

    /// <summary>Sites no measurement covered: a visible compensating node decides, else MLG016 (or MLG003 for a declared node that is absent).</summary>
    private void ApplyGraphEvidence(List<SiteDiagnosis> diagnoses)
    {
        foreach (var d in diagnoses.Where(d => d.Evidence is null && !d.Blocked))
        {
            var site = d.Site;
            double required = spec.Convention == DropoutConvention.Standard ? site.Spec.Keep : 1.0;
            bool hasNode = site.Compensation.Count > 0;
            if (hasNode)
            {
                d.Evidence = EvidenceKind.Graph;
                var implied = site.GraphFactor / required;
                var cls = ScaleClassifier.Classify(implied, site.Spec, spec.Convention);
                d.Status = cls.IsOk ? SiteStatus.Ok : SiteStatus.Diverged;
                if (!cls.IsOk)
                {
                    d.Rule = cls.Rule!.Id;
                    d.CorrectionFactor = required / site.GraphFactor;
                    var node = site.Compensation[0].Node;
                    findings.Add(cls.Rule!,
                        $"site '{site.Spec.Id}': the graph multiplies the dropped activations by {F(site.GraphFactor)} (node '{node.Name}'), where {ConventionText(site.Spec)} needs {F(required)}",
                        site.Spec.Location, site.Spec.Id,
                        fix: required == 1.0 ? $"remove node '{node.Name}'" : $"make node '{node.Name}' multiply by {F(required)}");
                }
                else if (spec.Compensation == CompensationPlace.Weights)
                {
                    notes.Add(new ReportNote($"the keep factor sits in node '{site.Compensation[0].Node.Name}', not in the weights as `compensation: weights` says", site.Spec.Id));
                }

                continue;
            }

            if (spec.Convention == DropoutConvention.Standard && spec.Compensation == CompensationPlace.Node)
            {
                d.Status = SiteStatus.Diverged;
                d.Evidence = EvidenceKind.Graph;
                d.Rule = RuleCatalog.MissingDropoutScaling.Id;
                d.CorrectionFactor = site.Spec.Keep;
                findings.Add(RuleCatalog.MissingDropoutScaling,
                    $"site '{site.Spec.Id}': `compensation: node` but no Mul by {F(site.Spec.Keep)} (or Div by {F(1 / site.Spec.Keep)}) lies between the dropped tensor and '{NodeName(site)}'",
                    site.Spec.Location, site.Spec.Id, fix: $"insert Mul({F(site.Spec.Keep)}) after tensor '{site.DataInput}'");
                continue;
            }

            d.Status = SiteStatus.Unverified;
            findings.Add(RuleCatalog.ScalingUnverified,
                $"site '{site.Spec.Id}': nothing verifies its scale (no reference outputs or activations, no checkpoint, no compensating node){(spec.Convention == DropoutConvention.Standard ? "; a standard-dropout model never passes unverified" : string.Empty)}",
                site.Spec.Location, site.Spec.Id, fix: "add `calibration` with `expect.outputs` or `expect.activations`, or `expect.checkpoint`");
        }
    }

    internal static string NodeName(ResolvedSite site) =>
        site.ConsumingNode.Name.Length > 0 ? site.ConsumingNode.Name : site.ConsumingNode.OpType;

    internal static string ConventionText(SiteSpec site) => $"standard dropout p={F(site.Rate)}";

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>The mutable diagnosis of one located site while the checks run.</summary>
public sealed class SiteDiagnosis(ResolvedSite site)
{
    public ResolvedSite Site { get; } = site;

    public SiteStatus Status { get; set; } = SiteStatus.Unverified;

    public EvidenceKind? Evidence { get; set; }

    public double? EstimatedScale { get; set; }

    public double? RawScale { get; set; }

    /// <summary>The plain least-squares ratio of exported to checkpoint weights.</summary>
    public double? WeightRatio { get; set; }

    /// <summary>The rule of the site's fault, when it has one.</summary>
    public string? Rule { get; set; }

    /// <summary>For MLG007: a drop rate whose keep factor explains the measured scale.</summary>
    public double? ExplainingRate { get; set; }

    /// <summary>The factor that corrects this site in memory (1 when it is right).</summary>
    public double CorrectionFactor { get; set; } = 1.0;

    /// <summary>Measurement was not possible for a reason already reported (e.g. an earlier failure).</summary>
    public bool Blocked { get; set; }

    public SiteReport ToReport() => new()
    {
        Id = Site.Spec.Id,
        Rate = Site.Spec.Rate,
        EstimatedScale = EstimatedScale is { } s ? Math.Round(s, 4) : null,
        RawScale = RawScale is { } r ? Math.Round(r, 4) : null,
        WeightRatio = WeightRatio is { } w ? Math.Round(w, 4) : null,
        Evidence = Evidence,
        Status = Status,
    };
}
