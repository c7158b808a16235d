using System.Text;
using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Action;

/// <summary>The Markdown and SARIF renderings, from Core's report writers.</summary>
internal static class ReportMarkdown
{
    // Interim until Core's MarkdownReportWriter lands: the human summary in a code block.
    public static string Render(GateReport report, string manifestDisplayPath, int maxCharacters)
    {
        using var writer = new StringWriter();
        TextReportWriter.Write(report, manifestDisplayPath, writer);
        var text = new StringBuilder("## MLOpsGate\n\n```text\n").Append(writer.ToString().Replace("```", "'''", StringComparison.Ordinal)).Append("```\n").ToString();
        return text.Length <= maxCharacters ? text : text[..maxCharacters];
    }

    public static void WriteSarif(GateReport report, string path) => throw new NotSupportedException("SARIF needs Core's SarifReportWriter: " + path + report.Verdict);
}
