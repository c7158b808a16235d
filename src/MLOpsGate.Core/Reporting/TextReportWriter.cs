using System.Globalization;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Reporting;

/// <summary>
/// The human summary: one line per model with its verdict, then each finding in the canonical
/// compiler format `FILE(LINE,COL): error|warning|info MLGnnn: message` (no subcategory, no end position).
/// </summary>
public static class TextReportWriter
{
    /// <param name="manifestPath">The manifest path as given on the command line; diagnostics use it as FILE.</param>
    public static void Write(GateReport report, string manifestPath, TextWriter output)
    {
        foreach (var problem in report.Problems ?? [])
        {
            output.WriteLine(Diagnostic(manifestPath, problem));
        }

        // Models left out by --model are in the JSON report; the console shows what was checked.
        foreach (var model in report.Models.Where(m => m.Verdict != Verdict.Skipped))
        {
            var errors = model.Findings.Count(f => f.Severity == Severity.Error);
            var warnings = model.Findings.Count(f => f.Severity == Severity.Warning);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model.Name}: {Word(model.Verdict)} ({errors} errors, {warnings} warnings, {model.DurationMs} ms)"));
            foreach (var finding in model.Findings.OrderByDescending(f => f.Severity))
            {
                output.WriteLine(Diagnostic(manifestPath, finding));
            }

            foreach (var note in model.Notes)
            {
                output.WriteLine($"  note: {note.Message}");
            }
        }

        var checkedModels = report.Models.Where(m => m.Verdict != Verdict.Skipped).ToList();
        output.WriteLine(
            $"mlopsgate: {Word(report.Verdict)}: {checkedModels.Count} models checked, " +
            $"{checkedModels.Count(m => m.Verdict == Verdict.Pass)} passed, {checkedModels.Count(m => m.Verdict == Verdict.Fail)} failed, " +
            $"{checkedModels.Count(m => m.Verdict == Verdict.Error)} could not run; {report.CountErrors()} errors, {report.CountWarnings()} warnings");
    }

    /// <summary>One finding as a canonical MSBuild/compiler diagnostic line.</summary>
    public static string Diagnostic(string manifestPath, Finding finding)
    {
        var level = finding.Severity switch
        {
            Severity.Error => "error",
            Severity.Warning => "warning",
            _ => "info",
        };
        var message = finding.Message.ReplaceLineEndings(" ");
        return string.Create(CultureInfo.InvariantCulture, $"{manifestPath}({finding.Location.Line},{finding.Location.Column}): {level} {finding.Rule}: {message}");
    }

    private static string Word(Verdict verdict) => verdict.ToString().ToLowerInvariant();
}
