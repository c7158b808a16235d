using System.Globalization;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Repair;

namespace MLOpsGate.Cli;

public sealed record FixRequest(string Manifest, string Model, string? Output, bool InPlace, RepairStrategy? Strategy, string? Workspace);

/// <summary>`mlopsgate fix`: applies the diagnosed correction, writes the model, and re-checks it.</summary>
public sealed class FixRunner(TextWriter stdout, TextWriter stderr)
{
    public int Run(FixRequest request)
    {
        if ((request.Output is null) == !request.InPlace)
        {
            stderr.WriteLine("mlopsgate: error: give exactly one of --output FILE or --in-place");
            return ExitCodes.CannotRun;
        }

        var loaded = ManifestLoader.Load(request.Manifest, request.Workspace);
        if (!loaded.IsValid)
        {
            foreach (var problem in loaded.Problems)
            {
                stdout.WriteLine($"{request.Manifest}({problem.Location.Line},{problem.Location.Column}): error MLG001: {problem.Message}");
            }

            return ExitCodes.CannotRun;
        }

        var manifest = loaded.Manifest!;
        var spec = manifest.Models.FirstOrDefault(m => m.Name == request.Model);
        if (spec is null)
        {
            stderr.WriteLine($"mlopsgate: error: no model named '{request.Model}' in {request.Manifest}; models: {string.Join(", ", manifest.Models.Select(m => m.Name))}");
            return ExitCodes.CannotRun;
        }

        var output = Path.GetFullPath(request.Output ?? spec.Artifact.FullPath);
        if (!request.InPlace && output == Path.GetFullPath(spec.Artifact.FullPath))
        {
            stderr.WriteLine($"mlopsgate: error: --output is the model itself ({spec.Artifact.Value}); use --in-place to overwrite it");
            return ExitCodes.CannotRun;
        }

        var before = new ModelCheck(manifest, spec, FailOn.Error);
        var beforeReport = before.Run();
        if (beforeReport.Verdict == Verdict.Error || before.Model is null)
        {
            WriteFindings(request.Manifest, beforeReport);
            stderr.WriteLine($"mlopsgate: error: cannot fix '{spec.Name}': the check could not run (see above)");
            return ExitCodes.CannotRun;
        }

        var strategy = request.Strategy ?? (spec.Compensation == CompensationPlace.Node ? RepairStrategy.Node : RepairStrategy.Weights);
        var plan = ModelRepair.Plan(before, strategy);
        foreach (var refusal in plan.Refusals)
        {
            stdout.WriteLine($"cannot fix: {refusal}");
        }

        if (plan.Repaired is null)
        {
            stdout.WriteLine(beforeReport.Verdict == Verdict.Pass && plan.Refusals.Count == 0
                ? $"{spec.Name}: nothing to fix (the gate passes)"
                : $"{spec.Name}: nothing this command can fix; the findings need a re-export or a manifest change:");
            WriteFindings(request.Manifest, beforeReport);
            return ExitCodes.CannotRun;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        plan.Repaired.Save(output);
        foreach (var change in plan.Changes)
        {
            stdout.WriteLine($"fixed: {change}");
        }

        var fixedSpec = spec with { Artifact = spec.Artifact with { Value = Path.GetRelativePath(Path.GetDirectoryName(manifest.FullPath)!, output).Replace('\\', '/'), FullPath = output } };
        var afterReport = new ModelCheck(manifest, fixedSpec, FailOn.Error).Run();
        var how = before.SiteDiagnoses.Any(d => d.Rule is not null) ? $" ({strategy.ToString().ToLowerInvariant()} strategy)" : string.Empty;
        stdout.WriteLine($"wrote {Path.GetRelativePath(Directory.GetCurrentDirectory(), output)}{how}");
        stdout.WriteLine($"before: {Summary(beforeReport)}");
        stdout.WriteLine($"after:  {Summary(afterReport)}");
        WriteFindings(request.Manifest, afterReport);
        return afterReport.Verdict == Verdict.Pass ? ExitCodes.Passed : ExitCodes.Failed;
    }

    private void WriteFindings(string manifestPath, ModelReport report)
    {
        foreach (var finding in report.Findings)
        {
            stdout.WriteLine(TextReportWriter.Diagnostic(manifestPath, finding));
        }
    }

    private static string Summary(ModelReport report)
    {
        var metrics = report.Metrics is { } m
            ? string.Create(CultureInfo.InvariantCulture, $", max abs error {m.MaxAbsError:0.###e+0}, mismatches {m.MismatchFraction:P1}, cosine {m.Cosine:0.0000}")
            : string.Empty;
        var sites = string.Join(", ", report.Sites.Where(s => s.EstimatedScale is not null).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Id} {s.EstimatedScale:0.00}x")));
        return $"{report.Verdict.ToString().ToLowerInvariant()} ({report.Findings.Count(f => f.Severity == Core.Rules.Severity.Error)} errors{metrics}{(sites.Length > 0 ? "; sites " + sites : string.Empty)})";
    }
}
