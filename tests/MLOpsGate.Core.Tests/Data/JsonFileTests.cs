using MLOpsGate.Core.Data;
using static MLOpsGate.Core.Tests.Data.TestArrays;

namespace MLOpsGate.Core.Tests.Data;

public sealed class JsonArrayFileTests
{
    [Fact]
    public void ReadsKeyedNestedArraysWithInferredTypes()
    {
        var file = JsonArrayFile.Load(PathOf("calib.json"));

        Assert.Equal(["x", "ids", "flags"], file.Keys);
        Assert.Equal(ArrayElementType.Float64, file.GetElementType("x"));
        Assert.Equal(ArrayElementType.Int64, file.GetElementType("ids"));
        Assert.Equal(ArrayElementType.Bool, file.GetElementType("flags"));

        using (var x = file.Open("x"))
        {
            Assert.Equal([3L, 4L], x.Shape);
            Assert.Equal(Matrix, ReadAllFloat(x));
        }

        using (var ids = file.Open("ids"))
        {
            Assert.Equal([3L, 2L], ids.Shape);
            Assert.Equal([3L, 1L, 4L, 1L, 5L, 9L], ReadAllLong(ids, chunkRows: 1));
        }

        using (var flags = file.Open("flags"))
        {
            Assert.Equal([true, false], ReadAllBool(flags));
        }
    }

    [Fact]
    public void IntegersFeedFloatInputs()
    {
        var file = JsonArrayFile.Parse("{\"a\": [[1, 2], [3, -4]]}", "a.json");
        using var reader = file.Open("a");

        Assert.Equal([1f, 2f, 3f, -4f], ReadAllFloat(reader));
    }

    [Fact]
    public void FloatsDoNotFeedIntegerInputs()
    {
        var file = JsonArrayFile.Parse("{\"a\": [1.0, 2.0]}", "a.json");
        using var reader = file.Open("a");

        var e = Assert.Throws<DataFormatException>(() => reader.ReadRows(new long[2], 2));
        Assert.Contains("a.json['a']", e.Message, StringComparison.Ordinal);
        Assert.Contains("float data cannot be fed to an integer input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScalarsAndEmptyArraysHaveShapes()
    {
        var file = JsonArrayFile.Parse("{\"s\": 2.5, \"e\": [[], []]}", "a.json");

        Assert.Empty(file.GetShape("s"));
        Assert.Equal([2L, 0L], file.GetShape("e"));
        using var reader = file.Open("s");
        Assert.Equal([2.5], ReadAllDouble(reader));
    }

    [Fact]
    public void RaggedArraysNameTheKeyAndPlace()
    {
        var e = Assert.Throws<DataFormatException>(() => JsonArrayFile.Load(PathOf("ragged.json")));

        Assert.Contains("ragged.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x[1]'", e.Message, StringComparison.Ordinal);
        Assert.Contains("ragged", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"x\": [1, \"2\"]}", "'x[1]' is a string")]
    [InlineData("{\"x\": [1, null]}", "'x[1]' is a null")]
    [InlineData("{\"x\": [[1], 2]}", "'x[1]' is a number where an array of 1 is expected")]
    [InlineData("{\"x\": [1, [2]]}", "'x[1]' is an array where a number is expected")]
    [InlineData("{\"x\": [true, 1]}", "'x' mixes true/false with numbers")]
    [InlineData("{\"x\": [NaN]}", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"x\": [1], \"x\": [2]}", "'x' appears twice")]
    public void BadContentNamesTheKey(string json, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => JsonArrayFile.Parse(json, "in.json"));

        Assert.Contains("in.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKeyListsTheKeys()
    {
        var file = JsonArrayFile.Load(PathOf("calib.json"));

        var e = Assert.Throws<DataFormatException>(() => file.Open("input"));
        Assert.Contains("'x', 'ids', 'flags'", e.Message, StringComparison.Ordinal);
    }
}

public sealed class ActivationStatsJsonTests
{
    [Fact]
    public void ReadsPerUnitStatisticsPerSite()
    {
        var stats = ActivationStatsJson.Read(PathOf("stats.json"));

        Assert.Equal(2, stats.Count);
        Assert.Equal([0.5, -1.0, 0.0], stats["fc2.weight"].Mean);
        Assert.Equal([1.25, 0.5, 0.0], stats["fc2.weight"].Std);
        Assert.Equal(3, stats["fc2.weight"].UnitCount);
        Assert.Equal([2.0], stats["/act1/Relu_output_0"].Mean);
        Assert.Equal([3.0], stats["/act1/Relu_output_0"].Std);
    }

    [Theory]
    [InlineData("{\"s\": {\"mean\": [1, 2], \"std\": [1]}}", "2 means but 1 standard deviations")]
    [InlineData("{\"s\": {\"mean\": [1], \"std\": [-0.5]}}", "negative standard deviation")]
    [InlineData("{\"s\": {\"mean\": [1]}}", "has no \"std\"")]
    [InlineData("{\"s\": {\"mean\": [], \"std\": []}}", "\"mean\" is empty")]
    [InlineData("{\"s\": {\"mean\": [[1]], \"std\": [1]}}", "\"mean\"[0] is not a finite number")]
    [InlineData("{\"s\": [1, 2]}", "site 's' is not an object")]
    [InlineData("[1]", "must be a JSON object keyed by site id")]
    [InlineData("{\"s\": {\"mean\": [NaN], \"std\": [1]}}", "not valid JSON")]
    public void InvalidStatisticsNameTheFileAndSite(string json, string expected)
    {
        using var temp = new TempDir();
        var path = temp.Write("acts.json", json);

        var e = Assert.Throws<DataFormatException>(() => ActivationStatsJson.Read(path, "data/acts.json"));
        Assert.Contains("data/acts.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

public sealed class ArraySourceTests
{
    [Fact]
    public void NpyIsASingleArray()
    {
        using var source = ArraySource.Open(PathOf("f32_c.npy"));

        Assert.True(source.IsSingleArray);
        Assert.Empty(source.Keys);
        using (var reader = source.Open(null))
        {
            Assert.Equal(Matrix, ReadAllFloat(reader));
        }

        using (var again = source.Open(null))
        {
            Assert.Equal(3, again.RowCount);
        }

        var e = Assert.Throws<DataFormatException>(() => source.Open("x"));
        Assert.Contains("single .npy array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NpzIsKeyed()
    {
        using var source = ArraySource.Open(PathOf("compressed.npz"));

        Assert.False(source.IsSingleArray);
        Assert.Equal(5, source.Keys.Count);
        Assert.True(source.ContainsKey("ids"));
        using (var reader = source.Open("ids"))
        {
            Assert.Equal([3L, 1L, 4L, 1L, 5L, 9L], ReadAllLong(reader));
        }

        var e = Assert.Throws<DataFormatException>(() => source.Open(null));
        Assert.Contains("'x', '/act1/Relu_output_0'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonIsKeyed()
    {
        using var source = ArraySource.Open(PathOf("calib.json"));

        Assert.False(source.IsSingleArray);
        Assert.Equal(["x", "ids", "flags"], source.Keys);
        using var reader = source.Open("x");
        Assert.Equal(Matrix, ReadAllFloat(reader));
    }

    [Fact]
    public void NpyHeaderProblemsSurfaceWhenOpening()
    {
        var e = Assert.Throws<DataFormatException>(() => ArraySource.Open(PathOf("u3.npy")));

        Assert.Contains("u3.npy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownExtensionNamesTheSupportedOnes()
    {
        var e = Assert.Throws<DataFormatException>(() => ArraySource.Open("data/x.csv"));

        Assert.Contains("data/x.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains(".npy", e.Message, StringComparison.Ordinal);
        Assert.Contains(".npz", e.Message, StringComparison.Ordinal);
        Assert.Contains(".json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsADataFormatError()
    {
        var e = Assert.Throws<DataFormatException>(() => ArraySource.Open(PathOf("missing.npz"), "data/missing.npz"));

        Assert.Contains("data/missing.npz", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open", e.Message, StringComparison.Ordinal);
    }
}
