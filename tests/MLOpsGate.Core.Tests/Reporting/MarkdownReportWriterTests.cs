using System.Text.RegularExpressions;
using Markdig;
using MLOpsGate.Core.Reporting;
using MLOpsGate.Core.Rules;
using MLOpsGate.Core.Tests.Fixtures;

namespace MLOpsGate.Core.Tests.Reporting;

/// <summary>The Markdown summary of the real fixtures, rendered to HTML the way a pull-request comment is.</summary>
[Collection(FixtureCollection.Name)]
public sealed class MarkdownReportWriterTests(FixtureGateRun run)
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    internal static int Count(string html, string tag) => Regex.Matches(html, $"<{tag}[ >]").Count;

    [Fact]
    public void TheFixtureReportRendersItsTablesFindingsAndFixes()
    {
        var report = run.Result.Report;
        var markdown = MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml");
        Assert.True(markdown.Length <= MarkdownReportWriter.GitHubCommentLimit);
        Assert.Equal(markdown, MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml"));
        var html = Markdown.ToHtml(markdown, Pipeline);

        var heading = report.Verdict switch { Verdict.Pass => "## ✅ MLOpsGate: passed", Verdict.Fail => "## ❌ MLOpsGate: failed", _ => "## ⚠️ MLOpsGate: error" };
        Assert.StartsWith(heading, markdown, StringComparison.Ordinal);
        Assert.Contains($"**Verdict: {report.Verdict.ToString().ToLowerInvariant()}.**", markdown, StringComparison.Ordinal);
        var modelsWithSites = report.Models.Where(m => m.Verdict != Verdict.Skipped && m.Sites.Count > 0).ToList();
        Assert.Equal(1 + modelsWithSites.Count, Count(html, "table"));
        Assert.Equal(report.Models.Count + 1 + modelsWithSites.Sum(m => m.Sites.Count + 1), Count(html, "tr"));

        var failing = report.Models.First(m => m.Verdict == Verdict.Fail && m.Findings.Count > 0);
        var finding = failing.Findings.OrderByDescending(f => f.Severity).First();
        var rule = RuleCatalog.Find(finding.Rule)!;
        Assert.Contains($"<a href=\"{rule.HelpUri}\">{rule.Id} {rule.Kind}</a> at fixtures/mlopsgate.yml:{finding.Location.Line}:", html, StringComparison.Ordinal);
        Assert.Contains("<strong>Fix:</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("more findings in the full report", markdown, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{4}-\d\d-\d\dT\d\d:", markdown);
    }

    [Fact]
    public void TrimmingTheFixtureReportKeepsTheErrorsOfFailingModels()
    {
        var report = run.Result.Report;
        var full = MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml");
        var limit = full.Length * 2 / 3;
        var trimmed = MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml", limit);
        Assert.True(trimmed.Length <= limit, $"{trimmed.Length} > {limit}");
        Assert.Matches(@"\n… \d+ more findings in the full report[^\n]*\n$", trimmed);
        Assert.DoesNotContain("Details of the passing models", trimmed, StringComparison.Ordinal);
        Assert.Contains("❌ **error**", trimmed, StringComparison.Ordinal);
        AssertWholeLines(full, trimmed);
    }

    [Fact]
    public void EveryFailingModelKeepsItsFirstErrorBeforeAnyModelKeepsASecond()
    {
        var report = run.Result.Report;
        var full = MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml");
        var trimmed = MarkdownReportWriter.Render(report, "fixtures/mlopsgate.yml", full.Length / 2);
        var errorsShown = new Dictionary<string, int>(StringComparer.Ordinal);
        string? model = null;
        foreach (var line in trimmed.Split('\n'))
        {
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                model = line[4..line.LastIndexOf(": ", StringComparison.Ordinal)];
            }
            else if (model is not null && line.StartsWith("- ❌ **error**", StringComparison.Ordinal))
            {
                errorsShown[model] = errorsShown.GetValueOrDefault(model) + 1;
            }
        }

        var failing = report.Models.Where(m => m.Verdict == Verdict.Fail && m.Findings.Any(f => f.Severity == Severity.Error)).Select(m => m.Name).ToList();
        if (errorsShown.Values.Any(n => n > 1))
        {
            Assert.All(failing, name => Assert.True(errorsShown.GetValueOrDefault(name) >= 1, $"{name} lost its first error"));
        }

        Assert.Contains(failing, name => errorsShown.ContainsKey(name));
    }

    /// <summary>Every line of a trimmed report is a whole line of the full one: no row or escape is cut.</summary>
    internal static void AssertWholeLines(string full, string trimmed)
    {
        var lines = full.Split('\n').ToHashSet(StringComparer.Ordinal);
        var foreign = trimmed.Split('\n').Where(l => !lines.Contains(l) && !l.StartsWith("… ", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, "lines not in the full report:\n" + string.Join("\n", foreign));
    }
}

/// <summary>Escaping and trimming on hand-built reports.</summary>
public sealed class MarkdownReportWriterSyntheticTests
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    [Fact]
    public void HostileNamesAreEscapedForMarkdownAndHtml()
    {
        var markdown = MarkdownReportWriter.Render(SyntheticReports.Hostile(), "models/mlopsgate.yml");
        var html = Markdown.ToHtml(markdown, Pipeline);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<em>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<code>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<del>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=\"http://x\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);

        // The name keeps its text (the newline as a space) in ONE cell of ONE row: '|' did not split it.
        var cell = "<td>evil::model|&lt;script&gt;alert(1)&lt;/script&gt; second line 100% *bold* _it_ `code` [link](http://x) &amp; ~~s~~ $x$</td>";
        Assert.Contains(cell, html, StringComparison.Ordinal);
        Assert.Contains("<td>layer::fc|2 &lt;img src=x onerror=alert(1)&gt;%0A</td>", html, StringComparison.Ordinal);
        Assert.Equal(3, MarkdownReportWriterTests.Count(html, "table"));
        foreach (var row in Regex.Matches(html, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value))
        {
            var cells = Regex.Matches(row, "<t[hd][ >]").Count;
            Assert.True(cells is 6 or 7, $"a row with {cells} cells: {row}");
        }

        Assert.Contains("✅ pass", markdown, StringComparison.Ordinal);
        Assert.Contains("❌ fail", markdown, StringComparison.Ordinal);
        Assert.Contains("⏭️ skipped", markdown, StringComparison.Ordinal);
        Assert.Contains("1.00 (raw 2.00)", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a|b", @"a\|b")]
    [InlineData("<script>", "&lt;script&gt;")]
    [InlineData("x & y", "x &amp; y")]
    [InlineData("line\r\nbreak\nand\rmore", "line break and more")]
    [InlineData("*_`[]~$\\", @"\*\_\`\[\]\~\$\\")]
    [InlineData("ns::op 100%", "ns::op 100%")]
    public void EscapeHandlesEachCharacter(string text, string escaped) => Assert.Equal(escaped, MarkdownReportWriter.Escape(text));

    [Fact]
    public void EscapeShortensLongTextBeforeEscaping()
    {
        var escaped = MarkdownReportWriter.Escape(new string('<', 500), 10);
        Assert.Equal(string.Concat(Enumerable.Repeat("&lt;", 9)) + "…", escaped);
    }

    [Fact]
    public void TwoThousandFindingsAreTrimmedToTheLimitWithTheCountOfTheRest()
    {
        var report = SyntheticReports.Many(2000);
        var full = MarkdownReportWriter.Render(report, "models/mlopsgate.yml", int.MaxValue);
        Assert.True(full.Length > MarkdownReportWriter.GitHubCommentLimit);

        var markdown = MarkdownReportWriter.Render(report, "models/mlopsgate.yml");
        Assert.True(markdown.Length <= MarkdownReportWriter.GitHubCommentLimit, $"{markdown.Length} characters");
        var more = Regex.Match(markdown, @"\n… (\d+) more findings in the full report[^\n]*\n$");
        Assert.True(more.Success, markdown[^300..]);
        var shown = Regex.Matches(markdown, @"^- (❌|⚠️|ℹ️) \*\*", RegexOptions.Multiline).Count;
        Assert.Equal(2000, shown + int.Parse(more.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(shown > 100, $"only {shown} findings shown");

        // The least important go first: the passing model's details, the notes, then notes and warnings before errors.
        Assert.DoesNotContain("Details of the passing models", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("**Notes**", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("ℹ️ **note**", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("⚠️ **warning**", markdown, StringComparison.Ordinal);
        Assert.Contains("| huge | ❌ fail | 667 | 667 |", markdown, StringComparison.Ordinal);
        MarkdownReportWriterTests.AssertWholeLines(full, markdown);

        var html = Markdown.ToHtml(markdown, Pipeline);
        Assert.Contains("… " + more.Groups[1].Value + " more findings in the full report", html, StringComparison.Ordinal);
        Assert.Equal(shown, Regex.Matches(html, "<strong>Fix:</strong>").Count);
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(1000)]
    [InlineData(400)]
    public void EveryLimitIsKept(int limit)
    {
        foreach (var report in new[] { SyntheticReports.Many(2000), SyntheticReports.Hostile(), SyntheticReports.InvalidManifest() })
        {
            var markdown = MarkdownReportWriter.Render(report, "models/mlopsgate.yml", limit);
            Assert.True(markdown.Length <= limit, $"{markdown.Length} > {limit}");
            Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
            MarkdownReportWriterTests.AssertWholeLines(MarkdownReportWriter.Render(report, "models/mlopsgate.yml", int.MaxValue), markdown);
        }
    }

    [Fact]
    public void ManifestProblemsAreListedUnderTheErrorVerdict()
    {
        var markdown = MarkdownReportWriter.Render(SyntheticReports.InvalidManifest(), "models/mlopsgate.yml");
        Assert.StartsWith("## ⚠️ MLOpsGate: error", markdown, StringComparison.Ordinal);
        Assert.Contains("### Manifest problems", markdown, StringComparison.Ordinal);
        Assert.Contains("at models/mlopsgate.yml:4: unknown key 'artefact'", markdown, StringComparison.Ordinal);
        Assert.Contains("at models/mlopsgate.yml:10: 'rate' must be a number", markdown, StringComparison.Ordinal);
    }
}
