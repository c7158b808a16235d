using MLOpsGate.Core.Rules;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Cli.Tests;

/// <summary>The README's rule table and docs/rules.md are the catalogue's own text, not copies that drift.</summary>
public sealed class RuleDocsTests
{
    [Fact]
    public void DocsRulesMdIsGeneratedFromTheCatalogue()
    {
        var committed = File.ReadAllText(RepositoryRoot.Combine("docs/rules.md")).ReplaceLineEndings("\n");
        Assert.True(committed == RuleDocs.Document().ReplaceLineEndings("\n"), "docs/rules.md is stale: run `dotnet run --project src/MLOpsGate.Cli -- explain --markdown > docs/rules.md`");
    }

    [Fact]
    public void ReadmeRuleTableIsGeneratedFromTheCatalogue()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("-->\n", readme.IndexOf("<!-- rules:start", StringComparison.Ordinal), StringComparison.Ordinal) + 4;
        int end = readme.IndexOf("<!-- rules:end -->", StringComparison.Ordinal);
        var expected = RuleDocs.Table("docs/rules.md").ReplaceLineEndings("\n");
        Assert.True(readme[start..end] == expected, "README's rule table is stale; replace it with:\n" + expected);
        Assert.Equal(17, RuleCatalog.All.Count);
        Assert.All(RuleCatalog.All, r => Assert.Contains($"## {r.Id}", File.ReadAllText(RepositoryRoot.Combine("docs/rules.md")), StringComparison.Ordinal));
    }
}
