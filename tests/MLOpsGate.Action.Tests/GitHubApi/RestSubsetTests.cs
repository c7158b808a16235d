using System.Text.Json.Nodes;

namespace MLOpsGate.Action.Tests.GitHubApi;

/// <summary>The test server's validator itself: it must reject what GitHub would reject.</summary>
public sealed class RestSubsetTests
{
    private static RestOperation CreateCheckRun => RestSubset.Instance.Find("POST", "/repos/o/r/check-runs")!;

    [Fact]
    public void EveryOperationTheActionUsesIsInTheSubset()
    {
        Assert.Equal("checks/create", CreateCheckRun.OperationId);
        Assert.Equal("checks/update", RestSubset.Instance.Find("PATCH", "/repos/o/r/check-runs/12")!.OperationId);
        Assert.Equal("issues/list-comments", RestSubset.Instance.Find("GET", "/repos/o/r/issues/7/comments")!.OperationId);
        Assert.Equal("issues/create-comment", RestSubset.Instance.Find("POST", "/repos/o/r/issues/7/comments")!.OperationId);
        Assert.Equal("issues/update-comment", RestSubset.Instance.Find("PATCH", "/repos/o/r/issues/comments/99")!.OperationId);
        Assert.Null(RestSubset.Instance.Find("DELETE", "/repos/o/r/issues/comments/99"));
    }

    [Fact]
    public void AValidCheckRunPasses()
    {
        Assert.Empty(CreateCheckRun.Validate("""
            {"name":"MLOpsGate","head_sha":"abc","status":"completed","conclusion":"failure","completed_at":"2025-01-01T00:00:00Z",
             "output":{"title":"t","summary":"s","annotations":[{"path":"m.yml","start_line":1,"end_line":1,"annotation_level":"failure","message":"m"}]}}
            """));
    }

    [Theory]
    [InlineData("""{"name":"MLOpsGate"}""", "required")]
    [InlineData("""{"name":"x","head_sha":"abc","status":"done"}""", "enum")]
    [InlineData("""{"name":"x","head_sha":"abc","completed_at":"yesterday"}""", "format")]
    [InlineData("""{"name":"x","head_sha":"abc","output":{"title":"t","summary":"s","annotations":[{"path":"m.yml","start_line":1,"end_line":1,"annotation_level":"error","message":"m"}]}}""", "enum")]
    [InlineData("""{"name":"x","head_sha":"abc","output":{"title":"t"}}""", "required")]
    [InlineData("""{"name":"x","head_sha":"abc","filename":"m.yml"}""", "not a key")]
    [InlineData("name=x", "not JSON")]
    public void BadBodiesAreRejected(string body, string expected)
    {
        var problems = CreateCheckRun.Validate(body);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void FiftyOneAnnotationsOrAnOverlongSummaryAreRejected()
    {
        var annotations = new JsonArray(Enumerable.Range(1, 51).Select(i => (JsonNode)new JsonObject
        {
            ["path"] = "m.yml", ["start_line"] = i, ["end_line"] = i, ["annotation_level"] = "notice", ["message"] = "m",
        }).ToArray());
        var body = new JsonObject
        {
            ["name"] = "x",
            ["head_sha"] = "abc",
            ["output"] = new JsonObject { ["title"] = "t", ["summary"] = new string('s', 65536), ["annotations"] = annotations },
        };
        var problems = CreateCheckRun.Validate(body.ToJsonString());
        Assert.Contains(problems, p => p.Contains("maxItems", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("maxLength", StringComparison.Ordinal));
    }

    [Fact]
    public void NullableBecomesATypeThatAdmitsNull()
    {
        var schema = JsonNode.Parse("""{"type":"object","properties":{"a":{"type":"string","nullable":true},"b":{"enum":["x"],"nullable":true},"x-ref":{"type":"integer"}},"x-ref":"#/c"}""")!;
        var converted = RestSubset.NullableToTypeArrays(schema);
        Assert.Equal("""{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"anyOf":[{"enum":["x"]},{"type":"null"}]},"x-ref":{"type":"integer"}}}""", converted.ToJsonString());
    }
}
