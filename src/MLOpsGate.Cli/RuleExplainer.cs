using MLOpsGate.Core.Rules;

namespace MLOpsGate.Cli;

/// <summary>`mlopsgate explain`: the rule catalogue as text.</summary>
public static class RuleExplainer
{
    public static int Explain(string? ruleId, TextWriter stdout, TextWriter stderr)
    {
        if (ruleId is null)
        {
            foreach (var r in RuleCatalog.All)
            {
                stdout.WriteLine($"{r.Id}  {r.DefaultSeverity.ToString().ToLowerInvariant(),-7}  {r.Kind,-26}  {r.Title}");
            }

            return ExitCodes.Passed;
        }

        var rule = RuleCatalog.Find(ruleId);
        if (rule is null)
        {
            stderr.WriteLine($"mlopsgate: error: no rule '{ruleId}'; rules are MLG001 to MLG{RuleCatalog.All.Count:000} (run 'mlopsgate explain' for the list)");
            return ExitCodes.CannotRun;
        }

        stdout.WriteLine($"{rule.Id} {rule.Kind} (default severity: {rule.DefaultSeverity.ToString().ToLowerInvariant()})");
        stdout.WriteLine(rule.Title);
        stdout.WriteLine();
        stdout.WriteLine(rule.Description);
        stdout.WriteLine();
        stdout.WriteLine($"Why it matters: {rule.WhyItMatters}");
        stdout.WriteLine($"Example: {rule.Example}");
        stdout.WriteLine($"How to fix: {rule.HowToFix}");
        stdout.WriteLine($"More: {rule.HelpUri}");
        return ExitCodes.Passed;
    }
}
