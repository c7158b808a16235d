using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class YamlCoreSchemaTests
{
    [Theory]
    [InlineData("true", "Boolean")]
    [InlineData("True", "Boolean")]
    [InlineData("FALSE", "Boolean")]
    [InlineData("yes", "String")]
    [InlineData("No", "String")]
    [InlineData("on", "String")]
    [InlineData("OFF", "String")]
    [InlineData("y", "String")]
    [InlineData("tRue", "String")]
    [InlineData("", "Null")]
    [InlineData("~", "Null")]
    [InlineData("null", "Null")]
    [InlineData("NULL", "Null")]
    [InlineData("nUll", "String")]
    [InlineData("42", "Integer")]
    [InlineData("-7", "Integer")]
    [InlineData("0o17", "Integer")]
    [InlineData("0x1F", "Integer")]
    [InlineData("0o19", "String")]
    [InlineData("1_000", "String")]
    [InlineData("0b101", "String")]
    [InlineData("1.5", "Float")]
    [InlineData(".5", "Float")]
    [InlineData("5.", "Float")]
    [InlineData("1e-3", "Float")]
    [InlineData("-1.0E+3", "Float")]
    [InlineData(".", "String")]
    [InlineData("1e", "String")]
    [InlineData(".inf", "Float")]
    [InlineData("-.Inf", "Float")]
    [InlineData(".NaN", "Float")]
    [InlineData("1:30", "String")]
    public void Plain_scalars_resolve_by_the_core_schema(string text, string kind)
    {
        Assert.Equal(kind, YamlTreeReader.ResolvePlain(text).Kind.ToString());
    }

    [Theory]
    [InlineData("0x1F", 31)]
    [InlineData("0o17", 15)]
    [InlineData("+12", 12)]
    [InlineData("1.0e-3", 0.001)]
    [InlineData("-.inf", double.NegativeInfinity)]
    public void Numbers_have_their_values(string text, double value)
    {
        Assert.Equal(value, YamlTreeReader.ResolvePlain(text).Number);
    }

    [Fact]
    public void Quoted_and_tagged_scalars()
    {
        var read = YamlTreeReader.Read("a: \"true\"\nb: '1'\nc: !!str 5\nd: !!float 2\ne: |\n  x\n");
        var map = Assert.IsType<YamlMappingNode>(read.Root);

        Assert.Empty(read.Problems);
        Assert.Equal(YamlScalarKind.String, ((YamlScalarNode)map.Find("a")!.Value).Kind);
        Assert.Equal(YamlScalarKind.String, ((YamlScalarNode)map.Find("b")!.Value).Kind);
        Assert.Equal(YamlScalarKind.String, ((YamlScalarNode)map.Find("c")!.Value).Kind);
        Assert.Equal(YamlScalarKind.Float, ((YamlScalarNode)map.Find("d")!.Value).Kind);
        Assert.Equal(YamlScalarKind.String, ((YamlScalarNode)map.Find("e")!.Value).Kind);
    }

    [Fact]
    public void Unsupported_tags_are_reported()
    {
        var read = YamlTreeReader.Read("a: !custom x\n");

        var problem = Assert.Single(read.Problems);
        Assert.Equal(new SourceLocation(1, 4), problem.Location);
        Assert.Contains("the tag '!custom' is not supported", problem.Message, StringComparison.Ordinal);
    }
}
