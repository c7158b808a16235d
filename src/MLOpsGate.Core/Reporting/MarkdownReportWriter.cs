using System.Globalization;
using System.Text;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Reporting;

/// <summary>
/// Renders the report as GitHub-flavoured Markdown for a pull-request comment or a job summary:
/// the overall verdict, a table of models, then per model a table of its sites, its findings with
/// their fixes, and its notes. Every name and message from the manifest, the model or a message is
/// escaped for Markdown and HTML. The output never exceeds the given length: the least important
/// details go first (passing models' details, then notes, then findings from the lowest severity up,
/// each failing model's first error last), whole lines at a time, and a final line says how many
/// findings the full report has beyond it.
/// The output is deterministic (no timestamps, no durations).
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>GitHub's limit on the body of an issue or pull-request comment, in characters.</summary>
    public const int GitHubCommentLimit = 65536;

    /// <summary>Longest name (model, site, path) rendered before it is shortened with "…".</summary>
    private const int MaxNameLength = 200;

    /// <summary>Longest message or fix rendered before it is shortened with "…".</summary>
    private const int MaxMessageLength = 2000;

    // Drop ranks: the highest rank is dropped first; within a rank, the last in the document first.
    private const int RankPassingDetail = 90;
    private const int RankNote = 80;
    private const int RankNoteFinding = 70;
    private const int RankWarningFinding = 60;
    private const int RankSiteRow = 50;
    private const int RankErrorFinding = 40;
    private const int RankFirstErrorFinding = 30;
    private const int RankPassingSummaryRow = 20;
    private const int RankSummaryRow = 10;
    private const int RankVerdictLine = 5;
    private const int Kept = int.MinValue;

    public static string Render(GateReport report, string manifestDisplayPath, int maxCharacters = GitHubCommentLimit)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(manifestDisplayPath);
        var document = Build(report, manifestDisplayPath);
        var leaves = new List<Leaf>();
        document.CollectLeaves(leaves);
        var dropOrder = leaves.Where(l => l.Rank != Kept)
            .Select((leaf, index) => (leaf, index))
            .OrderByDescending(x => x.leaf.Rank).ThenByDescending(x => x.index)
            .Select(x => x.leaf)
            .ToList();

        // Total length is strictly decreasing in the number of dropped lines (every line is longer
        // than the digits the trailer gains), so the fewest drops that fit are found by bisection.
        if (Measure(document, dropOrder, 0) > maxCharacters)
        {
            if (Measure(document, dropOrder, dropOrder.Count) > maxCharacters)
            {
                throw new ArgumentOutOfRangeException(nameof(maxCharacters), maxCharacters, "too small to hold the verdict and the trimming line");
            }

            int low = 1, high = dropOrder.Count;
            while (low < high)
            {
                var mid = low + ((high - low) / 2);
                if (Measure(document, dropOrder, mid) <= maxCharacters)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return Compose(document, dropOrder, low);
        }

        return Compose(document, dropOrder, 0);
    }

    /// <summary>
    /// Escapes text for Markdown and HTML alike: line breaks and control characters become spaces,
    /// <c>&amp; &lt; &gt;</c> become entities, Markdown punctuation is backslash-escaped (also <c>|</c>,
    /// so the text is safe in a table cell). Text longer than <paramref name="maxLength"/> is cut
    /// (before escaping, so never inside an escape) and ends with "…".
    /// </summary>
    public static string Escape(string text, int maxLength = MaxNameLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > maxLength)
        {
            var cut = Math.Max(0, maxLength - 1);
            if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut] + "…";
        }

        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' or '$':
                    sb.Append('\\').Append(c);
                    break;
                default:
                    sb.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? ' ' : c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static int Measure(Group document, List<Leaf> dropOrder, int dropped)
    {
        Apply(dropOrder, dropped);
        return document.Length + Trailer(dropOrder, dropped).Length;
    }

    private static string Compose(Group document, List<Leaf> dropOrder, int dropped)
    {
        Apply(dropOrder, dropped);
        var sb = new StringBuilder(document.Length + 256);
        document.Render(sb);
        sb.Append(Trailer(dropOrder, dropped));
        while (sb.Length > 1 && sb[^1] == '\n' && sb[^2] == '\n')
        {
            sb.Length--;
        }

        return sb.ToString();
    }

    private static void Apply(List<Leaf> dropOrder, int dropped)
    {
        for (var i = 0; i < dropOrder.Count; i++)
        {
            dropOrder[i].Visible = i >= dropped;
        }
    }

    private static string Trailer(List<Leaf> dropOrder, int dropped)
    {
        if (dropped == 0)
        {
            return string.Empty;
        }

        var removed = dropOrder.Take(dropped).ToList();
        var findings = removed.Count(l => l.IsFinding);
        var also = new List<string>();
        var passing = removed.Where(l => l.Rank == RankPassingDetail).Select(l => l.Model).Distinct(StringComparer.Ordinal).Count();
        if (passing > 0)
        {
            also.Add(Count(passing, "passing model's details", "passing models' details"));
        }

        var notes = removed.Count(l => l.Rank == RankNote);
        if (notes > 0)
        {
            also.Add(Count(notes, "note", "notes"));
        }

        var sites = removed.Count(l => l.Rank == RankSiteRow);
        if (sites > 0)
        {
            also.Add(Count(sites, "site row", "site rows"));
        }

        var models = removed.Count(l => l.Rank is RankSummaryRow or RankPassingSummaryRow);
        if (models > 0)
        {
            also.Add(Count(models, "model row of the summary table", "model rows of the summary table"));
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"… {findings} more findings in the full report");
        return also.Count == 0 ? line + ".\n" : $"{line} (also left out: {string.Join(", ", also)}).\n";
    }

    private static string Count(int n, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");

    private static Group Build(GateReport report, string manifestDisplayPath)
    {
        var root = new Group(string.Empty, string.Empty, requiresChild: false);
        root.Add(new Leaf(Heading(report.Verdict) + "\n\n", Kept));
        root.Add(new Leaf(VerdictLine(report, manifestDisplayPath) + "\n\n", RankVerdictLine));

        if (report.Models.Count > 0)
        {
            var summary = new Group(
                "| model | verdict | errors | warnings | max abs error | cosine | argmax agreement |\n" +
                "|---|---|--:|--:|--:|--:|--:|\n",
                "\n");
            foreach (var model in report.Models)
            {
                summary.Add(new Leaf(SummaryRow(model) + "\n", model.Verdict is Verdict.Pass or Verdict.Skipped ? RankPassingSummaryRow : RankSummaryRow));
            }

            root.Add(summary);
        }

        if (report.Problems is { Count: > 0 } problems)
        {
            var group = new Group("### Manifest problems\n\n", "\n");
            foreach (var problem in problems.OrderByDescending(p => p.Severity))
            {
                group.Add(FindingLeaf(problem, manifestDisplayPath, null, passing: false));
            }

            root.Add(group);
        }

        foreach (var model in report.Models.Where(m => m.Verdict is Verdict.Fail or Verdict.Error))
        {
            root.Add(ModelSection(model, manifestDisplayPath, passing: false));
        }

        var passingModels = report.Models.Where(m => m.Verdict == Verdict.Pass).ToList();
        if (passingModels.Count > 0)
        {
            var details = new Group("<details>\n<summary>Details of the passing models</summary>\n\n", "</details>\n\n");
            foreach (var model in passingModels)
            {
                details.Add(ModelSection(model, manifestDisplayPath, passing: true));
            }

            root.Add(details);
        }

        return root;
    }

    private static string Heading(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "## ✅ MLOpsGate: passed",
        Verdict.Fail => "## ❌ MLOpsGate: failed",
        _ => "## ⚠️ MLOpsGate: error (a check could not run)",
    };

    private static string VerdictLine(GateReport report, string manifestDisplayPath)
    {
        var checkedModels = report.Models.Where(m => m.Verdict != Verdict.Skipped).ToList();
        var skipped = report.Models.Count - checkedModels.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"**Verdict: {Word(report.Verdict)}.** ");
        sb.Append(CultureInfo.InvariantCulture, $"{Count(checkedModels.Count, "model", "models")} checked: ");
        sb.Append(CultureInfo.InvariantCulture, $"{checkedModels.Count(m => m.Verdict == Verdict.Pass)} passed, ");
        sb.Append(CultureInfo.InvariantCulture, $"{checkedModels.Count(m => m.Verdict == Verdict.Fail)} failed, ");
        sb.Append(CultureInfo.InvariantCulture, $"{checkedModels.Count(m => m.Verdict == Verdict.Error)} could not run");
        if (skipped > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {skipped} skipped");
        }

        sb.Append(CultureInfo.InvariantCulture, $"; {Count(report.CountErrors(), "error", "errors")}, {Count(report.CountWarnings(), "warning", "warnings")}. ");
        sb.Append("Manifest: ").Append(Escape(manifestDisplayPath)).Append('.');
        return sb.ToString();
    }

    private static string SummaryRow(ModelReport model)
    {
        var checkedModel = model.Verdict != Verdict.Skipped;
        var errors = checkedModel ? Number(model.Findings.Count(f => f.Severity == Severity.Error)) : "—";
        var warnings = checkedModel ? Number(model.Findings.Count(f => f.Severity == Severity.Warning)) : "—";
        var metrics = model.Metrics;
        return $"| {Escape(model.Name)} | {VerdictText(model.Verdict)} | {errors} | {warnings} | " +
            $"{(metrics is null ? "—" : Magnitude(metrics.MaxAbsError))} | " +
            $"{(metrics is null ? "—" : Fraction(metrics.Cosine))} | " +
            $"{(metrics?.ArgmaxAgreement is { } agreement ? Percent(agreement) : "—")} |";
    }

    private static Group ModelSection(ModelReport model, string manifestDisplayPath, bool passing)
    {
        var section = new Group(
            $"### {Escape(model.Name)}: {VerdictText(model.Verdict)}\n\nArtifact: {Escape(model.Artifact)}\n\n",
            string.Empty);

        if (model.Sites.Count > 0)
        {
            var sites = new Group(
                "| site | rate | evidence | measured scale | expected scale | status |\n" +
                "|---|--:|---|--:|--:|---|\n",
                "\n");
            foreach (var site in model.Sites)
            {
                sites.Add(new Leaf(SiteRow(site) + "\n", passing ? RankPassingDetail : RankSiteRow) { Model = model.Name });
            }

            section.Add(sites);
        }

        if (model.Findings.Count > 0)
        {
            var findings = new Group("**Findings**\n\n", "\n");
            var first = true;
            foreach (var finding in model.Findings.OrderByDescending(f => f.Severity))
            {
                findings.Add(FindingLeaf(finding, manifestDisplayPath, model.Name, passing, first));
                first = false;
            }

            section.Add(findings);
        }

        if (model.Notes.Count > 0)
        {
            var notes = new Group("**Notes**\n\n", "\n");
            foreach (var note in model.Notes)
            {
                var site = note.Site is null || note.Message.Contains(note.Site, StringComparison.Ordinal) ? string.Empty : $" (site {Escape(note.Site)})";
                notes.Add(new Leaf($"- {Escape(note.Message, MaxMessageLength)}{site}\n", passing ? RankPassingDetail : RankNote) { Model = model.Name });
            }

            section.Add(notes);
        }

        return section;
    }

    private static string SiteRow(SiteReport site)
    {
        var measured = "—";
        if (site.EstimatedScale is { } scale)
        {
            measured = Scale(scale);
            if (site.RawScale is { } raw && Math.Abs(raw - scale) >= 0.005)
            {
                measured += $" (raw {Scale(raw)})";
            }
        }

        var evidence = site.Evidence is { } e ? e.ToString().ToLowerInvariant() : "—";
        return $"| {Escape(site.Id)} | {Rate(site.Rate)} | {evidence} | {measured} | 1.00 | {StatusText(site.Status)} |";
    }

    /// <param name="first">The model's most severe finding: an error stays longer than the model's other errors.</param>
    private static Leaf FindingLeaf(Finding finding, string manifestDisplayPath, string? model, bool passing, bool first = false)
    {
        var rule = RuleCatalog.Find(finding.Rule);
        var ruleText = rule is null
            ? $"{Escape(finding.Rule)} {Escape(finding.Kind)}"
            : $"[{rule.Id} {Escape(rule.Kind)}]({rule.HelpUri})";
        var sb = new StringBuilder();
        sb.Append("- ").Append(SeverityText(finding.Severity)).Append(' ').Append(ruleText)
            .Append(" at ").Append(Escape(manifestDisplayPath)).Append(':').Append(Number(finding.Location.Line))
            .Append(": ").Append(Escape(finding.Message, MaxMessageLength)).Append('\n');
        if (!string.IsNullOrWhiteSpace(finding.Fix))
        {
            sb.Append("  - **Fix:** ").Append(Escape(finding.Fix, MaxMessageLength)).Append('\n');
        }

        var rank = passing
            ? RankPassingDetail
            : finding.Severity switch
            {
                Severity.Error => first ? RankFirstErrorFinding : RankErrorFinding,
                Severity.Warning => RankWarningFinding,
                _ => RankNoteFinding,
            };
        return new Leaf(sb.ToString(), rank) { IsFinding = true, Model = model };
    }

    private static string Word(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    private static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "✅ pass",
        Verdict.Fail => "❌ fail",
        Verdict.Error => "⚠️ error",
        _ => "⏭️ skipped",
    };

    private static string SeverityText(Severity severity) => severity switch
    {
        Severity.Error => "❌ **error**",
        Severity.Warning => "⚠️ **warning**",
        _ => "ℹ️ **note**",
    };

    private static string StatusText(SiteStatus status) => status switch
    {
        SiteStatus.Ok => "✅ ok",
        SiteStatus.Diverged => "❌ diverged",
        SiteStatus.Consequence => "↪️ consequence of an upstream fault",
        SiteStatus.Unverified => "⚠️ unverified",
        _ => "❌ not found",
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Scale(double value) => Finite(value) ?? value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Rate(double value) => Finite(value) ?? value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Fraction(double value) => Finite(value) ?? value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Percent(double value) => Finite(value) ?? (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>An error magnitude: plain for moderate values, scientific for tiny or huge ones.</summary>
    private static string Magnitude(double value)
    {
        if (Finite(value) is { } text)
        {
            return text;
        }

        var abs = Math.Abs(value);
        return abs == 0 ? "0"
            : abs < 1e-3 || abs >= 1e5 ? value.ToString("0.0e+0", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Text for NaN and infinities, null for a finite value.</summary>
    private static string? Finite(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "∞" : double.IsNegativeInfinity(value) ? "−∞" : null;

    private abstract class Node
    {
        public abstract int Length { get; }

        public abstract bool IsVisible { get; }

        public abstract void Render(StringBuilder sb);

        public abstract void CollectLeaves(List<Leaf> leaves);
    }

    /// <summary>Whole lines that are kept or dropped together.</summary>
    private sealed class Leaf(string text, int rank) : Node
    {
        public string Text { get; } = text;

        /// <summary>Drop rank (higher goes first), or <see cref="Kept"/> for text that always stays.</summary>
        public int Rank { get; } = rank;

        public bool IsFinding { get; init; }

        public string? Model { get; init; }

        public bool Visible { get; set; } = true;

        public override int Length => IsVisible ? Text.Length : 0;

        public override bool IsVisible => Rank == Kept || Visible;

        public override void Render(StringBuilder sb)
        {
            if (IsVisible)
            {
                sb.Append(Text);
            }
        }

        public override void CollectLeaves(List<Leaf> leaves) => leaves.Add(this);
    }

    /// <summary>A header and footer around children, shown only while one of its children is.</summary>
    private sealed class Group(string header, string footer, bool requiresChild = true) : Node
    {
        private readonly List<Node> children = [];

        public void Add(Node child) => children.Add(child);

        public override bool IsVisible => !requiresChild || children.Exists(c => c.IsVisible);

        public override int Length => IsVisible ? header.Length + footer.Length + children.Sum(c => c.Length) : 0;

        public override void Render(StringBuilder sb)
        {
            if (!IsVisible)
            {
                return;
            }

            sb.Append(header);
            foreach (var child in children)
            {
                child.Render(sb);
            }

            sb.Append(footer);
        }

        public override void CollectLeaves(List<Leaf> leaves)
        {
            foreach (var child in children)
            {
                child.CollectLeaves(leaves);
            }
        }
    }
}
