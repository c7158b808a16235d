using System.Reflection;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Checks;

public sealed record GateOptions(FailOn FailOn, IReadOnlyCollection<string> SelectedModels);

/// <summary>The report, and every file the run read (for incremental builds).</summary>
public sealed record GateResult(GateReport Report, IReadOnlyCollection<string> FilesRead);

/// <summary>Runs the gate over every (selected) model of a manifest.</summary>
public static class Gate
{
    public static ToolInfo Tool { get; } = new(
        "mlopsgate",
        typeof(Gate).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    public static GateResult Run(GateManifest manifest, GateOptions options, Action<string>? progress = null)
    {
        var models = new List<ModelReport>();
        var filesRead = new HashSet<string>(StringComparer.Ordinal) { manifest.FullPath };
        foreach (var spec in manifest.Models)
        {
            if (options.SelectedModels.Count > 0 && !options.SelectedModels.Contains(spec.Name))
            {
                models.Add(new ModelReport { Name = spec.Name, Artifact = ModelCheck.RelativeToWorkspace(manifest, spec.Artifact.FullPath), Verdict = Verdict.Skipped });
                continue;
            }

            progress?.Invoke($"checking {spec.Name} ({spec.Artifact.Value})");
            var check = new ModelCheck(manifest, spec, options.FailOn);
            models.Add(check.Run());
            filesRead.UnionWith(check.FilesRead);
        }

        var report = new GateReport
        {
            Tool = Tool,
            Manifest = ModelCheck.RelativeToWorkspace(manifest, manifest.FullPath),
            Verdict = Combine(models.Select(m => m.Verdict)),
            Models = models,
        };
        return new GateResult(report, filesRead);
    }

    /// <summary>The report of a manifest that could not be loaded: no model ran, the verdict is error.</summary>
    public static GateReport InvalidManifest(string manifestDisplayPath, string workspaceRelativePath, IEnumerable<ManifestProblem> problems) => new()
    {
        Tool = Tool,
        Manifest = workspaceRelativePath,
        Verdict = Verdict.Error,
        Models = [],
        Problems = problems.Select(p => new Finding
        {
            Rule = RuleCatalog.ManifestInvalid.Id,
            Kind = RuleCatalog.ManifestInvalid.Kind,
            Severity = Severity.Error,
            DefaultSeverity = Severity.Error,
            Message = p.Message,
            Location = new ReportLocation(workspaceRelativePath, p.Location.Line, p.Location.Column),
            Fix = null,
        }).ToList(),
    };

    public static Verdict Combine(IEnumerable<Verdict> verdicts)
    {
        var list = verdicts.ToList();
        return list.Contains(Verdict.Error) ? Verdict.Error : list.Contains(Verdict.Fail) ? Verdict.Fail : Verdict.Pass;
    }
}
