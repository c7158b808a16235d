using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Cli;

public sealed record CheckRequest(
    string Manifest,
    IReadOnlyList<string> Models,
    string? Workspace,
    FailOn FailOn,
    string? ReportJson,
    string? FilesRead,
    string? ReportSarif = null,
    string? ReportMarkdown = null);

/// <summary>`mlopsgate check`: loads the manifest, runs the gate, prints the summary and writes the reports.</summary>
public sealed class CheckRunner(TextWriter stdout, TextWriter stderr)
{
    public int Run(CheckRequest request)
    {
        var loaded = ManifestLoader.Load(request.Manifest, request.Workspace);
        GateReport report;
        IReadOnlyCollection<string> filesRead = [Path.GetFullPath(request.Manifest)];
        if (!loaded.IsValid)
        {
            var relative = loaded.Manifest is { } m ? ModelCheck.RelativeToWorkspace(m, m.FullPath) : request.Manifest.Replace('\\', '/');
            report = Gate.InvalidManifest(request.Manifest, relative, loaded.Problems);
        }
        else
        {
            var manifest = loaded.Manifest!;
            var unknown = request.Models.Where(n => manifest.Models.All(m => m.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                stderr.WriteLine($"mlopsgate: error: no model named {string.Join(", ", unknown.Select(n => $"'{n}'"))} in {request.Manifest}; models: {string.Join(", ", manifest.Models.Select(m => m.Name))}");
                return ExitCodes.CannotRun;
            }

            var result = Gate.Run(manifest, new GateOptions(request.FailOn, request.Models.ToHashSet(StringComparer.Ordinal)), line => stderr.WriteLine(line));
            report = result.Report;
            filesRead = result.FilesRead;
        }

        TextReportWriter.Write(report, request.Manifest, stdout);
        if (request.ReportJson is not null)
        {
            JsonReportWriter.Write(report, request.ReportJson);
        }

        if (request.ReportSarif is not null)
        {
            SarifReportWriter.Write(report, request.ReportSarif);
        }

        if (request.ReportMarkdown is not null)
        {
            WriteText(request.ReportMarkdown, MarkdownReportWriter.Render(report, request.Manifest));
        }

        if (request.FilesRead is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(request.FilesRead))!);
            File.WriteAllLines(request.FilesRead, filesRead.Order(StringComparer.Ordinal));
        }

        return report.Verdict switch
        {
            Verdict.Pass => ExitCodes.Passed,
            Verdict.Fail => ExitCodes.Failed,
            _ => ExitCodes.CannotRun,
        };
    }

    private static void WriteText(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
    }
}
