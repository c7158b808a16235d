using System.Globalization;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Action.Workflow;

/// <summary>
/// Writes workflow commands (`::error file=F,line=L,col=C,title=T::message`) with the runner's escaping, and the
/// annotations within the runner's budget: only 10 errors, 10 warnings and 10 notices per step become
/// annotations, so the most important go first and one `::notice` (counted in the notice budget) says how many
/// more are in the summary.
/// </summary>
internal static class WorkflowCommands
{
    public const int PerLevelBudget = 10;

    /// <summary>Escapes a command's message: `%`, CR and LF.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>Escapes a property value: as a message, plus `:` and `,`.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    public static string Format(string command, IEnumerable<(string Name, string Value)> properties, string message)
    {
        var props = string.Join(",", properties.Select(p => $"{p.Name}={EscapeProperty(p.Value)}"));
        return $"::{command}{(props.Length > 0 ? " " + props : string.Empty)}::{EscapeData(message)}";
    }

    public static string Notice(string message) => Format("notice", [("title", "MLOpsGate")], message);

    /// <summary>An error about the run itself (not a finding), so without a file.</summary>
    public static string Error(string message) => Format("error", [("title", "MLOpsGate")], message);

    public static string Annotation(FindingAnnotation annotation) => Format(
        Level(annotation.Severity),
        [
            ("file", annotation.Path),
            ("line", annotation.Line.ToString(CultureInfo.InvariantCulture)),
            ("col", annotation.Column.ToString(CultureInfo.InvariantCulture)),
            ("title", annotation.Title),
        ],
        annotation.Message);

    public static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "notice",
    };

    /// <summary>
    /// The annotation lines to print: at most 10 per level, most important first; when some do not fit, one
    /// notice saying how many more are in the summary; then <paramref name="notices"/> (status messages), all
    /// notices together within the notice budget of 10.
    /// </summary>
    public static IReadOnlyList<string> Plan(IReadOnlyList<FindingAnnotation> annotations, IReadOnlyList<string> notices, string reportPath)
    {
        var errors = annotations.Where(a => a.Severity == Severity.Error).ToList();
        var warnings = annotations.Where(a => a.Severity == Severity.Warning).ToList();
        var notes = annotations.Where(a => a.Severity == Severity.Note).ToList();
        var statusNotices = notices.Take(PerLevelBudget).ToList();
        var noteCapacity = PerLevelBudget - statusNotices.Count;
        var overflow = errors.Count > PerLevelBudget || warnings.Count > PerLevelBudget || notes.Count > noteCapacity;
        if (overflow)
        {
            noteCapacity = Math.Max(0, noteCapacity - 1);
        }

        var shown = errors.Take(PerLevelBudget).Concat(warnings.Take(PerLevelBudget)).Concat(notes.Take(noteCapacity)).ToList();
        var lines = shown.Select(Annotation).ToList();
        if (overflow)
        {
            int hiddenErrors = errors.Count - shown.Count(a => a.Severity == Severity.Error);
            int hiddenWarnings = warnings.Count - shown.Count(a => a.Severity == Severity.Warning);
            int hiddenNotes = notes.Count - shown.Count(a => a.Severity == Severity.Note);
            var parts = new List<string>();
            AddCount(parts, hiddenErrors, "error");
            AddCount(parts, hiddenWarnings, "warning");
            AddCount(parts, hiddenNotes, "note");
            int hidden = hiddenErrors + hiddenWarnings + hiddenNotes;
            lines.Add(Notice(string.Create(
                CultureInfo.InvariantCulture,
                $"{hidden} more {(hidden == 1 ? "finding" : "findings")} ({string.Join(", ", parts)}) not shown as annotations: see the job summary and {reportPath}")));
        }

        lines.AddRange(statusNotices.Select(Notice));
        return lines;
    }

    private static void AddCount(List<string> parts, int count, string word)
    {
        if (count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {word}{(count == 1 ? string.Empty : "s")}"));
        }
    }
}
