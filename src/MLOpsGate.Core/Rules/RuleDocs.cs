using System.Text;

namespace MLOpsGate.Core.Rules;

/// <summary>Renders the rule catalogue as Markdown: the README's table and docs/rules.md come from here.</summary>
public static class RuleDocs
{
    /// <param name="linkBase">Where the rule sections are: "" inside docs/rules.md, "docs/rules.md" from the README.</param>
    public static string Table(string linkBase)
    {
        var text = new StringBuilder();
        text.AppendLine("| id | kind | default | what it means |");
        text.AppendLine("|---|---|---|---|");
        foreach (var rule in RuleCatalog.All)
        {
            text.AppendLine($"| [{rule.Id}]({linkBase}#{rule.Id.ToLowerInvariant()}) | `{rule.Kind}` | {Severity(rule)} | {rule.Title} |");
        }

        return text.ToString();
    }

    public static string Document()
    {
        var text = new StringBuilder();
        text.AppendLine("# MLOpsGate rules");
        text.AppendLine();
        text.AppendLine("Generated from the rule catalogue (`mlopsgate explain --markdown`); `mlopsgate explain MLGnnn` prints the same text.");
        text.AppendLine();
        text.Append(Table(string.Empty));
        foreach (var rule in RuleCatalog.All)
        {
            text.AppendLine();
            text.AppendLine($"## {rule.Id}");
            text.AppendLine();
            text.AppendLine($"**{rule.Title}** — kind `{rule.Kind}`, default severity {Severity(rule)}.");
            text.AppendLine();
            text.AppendLine(rule.Description);
            text.AppendLine();
            text.AppendLine($"*Why it matters:* {rule.WhyItMatters}");
            text.AppendLine();
            text.AppendLine($"*Example:* {rule.Example}");
            text.AppendLine();
            text.AppendLine($"*How to fix:* {rule.HowToFix}");
        }

        return text.ToString();
    }

    private static string Severity(RuleDescriptor rule) =>
        rule == RuleCatalog.ScalingUnverified ? "error (standard) / warning (inverted)" : rule.DefaultSeverity.ToString().ToLowerInvariant();
}
