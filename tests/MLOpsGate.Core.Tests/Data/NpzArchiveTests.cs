using MLOpsGate.Core.Data;
using static MLOpsGate.Core.Tests.Data.TestArrays;

namespace MLOpsGate.Core.Tests.Data;

public sealed class NpzArchiveTests
{
    public static TheoryData<string> Archives => new() { "stored.npz", "compressed.npz" };

    [Theory]
    [MemberData(nameof(Archives))]
    public void ListsKeysWithoutSuffixIncludingSlashes(string file)
    {
        using var npz = NpzArchive.Open(PathOf(file));

        Assert.Equal(["x", "/act1/Relu_output_0", "ids", "fortran", "fc2.weight"], npz.Keys);
        Assert.True(npz.ContainsKey("/act1/Relu_output_0"));
        Assert.True(npz.ContainsKey("x.npy"));
        Assert.False(npz.ContainsKey("y"));
    }

    [Theory]
    [MemberData(nameof(Archives))]
    public void ReadsEveryArrayExactly(string file)
    {
        using var npz = NpzArchive.Open(PathOf(file));

        using (var x = npz.OpenArray("x"))
        {
            Assert.Equal(ArrayElementType.Float32, x.ElementType);
            Assert.Equal(Matrix, ReadAllFloat(x));
        }

        using (var act = npz.OpenArray("/act1/Relu_output_0"))
        {
            Assert.Equal([3L, 2L], act.Shape);
            Assert.Equal($"{PathOf(file)}['/act1/Relu_output_0']", act.DisplayName);
            Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], ReadAllDouble(act, chunkRows: 1));
        }

        using (var ids = npz.OpenArray("ids"))
        {
            Assert.Equal(ArrayElementType.Int64, ids.ElementType);
            Assert.Equal([3L, 1L, 4L, 1L, 5L, 9L], ReadAllLong(ids));
        }
    }

    [Theory]
    [MemberData(nameof(Archives))]
    public void ReadsFortranOrderEntriesRowByRow(string file)
    {
        using var npz = NpzArchive.Open(PathOf(file));
        using var reader = npz.OpenArray("fortran");

        Assert.Equal([2L, 3L, 4L], reader.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), ReadAllDouble(reader, chunkRows: 1));
    }

    [Theory]
    [MemberData(nameof(Archives))]
    public void SeveralReadersFromOneArchiveCanBeReadInTurns(string file)
    {
        using var npz = NpzArchive.Open(PathOf(file));
        using var x = npz.OpenArray("x");
        using var ids = npz.OpenArray("ids");
        var xs = new List<float>();
        var idValues = new List<long>();
        var xRow = new float[4];
        var idRow = new long[2];

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, x.ReadRows(xRow, 1));
            Assert.Equal(1, ids.ReadRows(idRow, 1));
            xs.AddRange(xRow);
            idValues.AddRange(idRow);
        }

        Assert.Equal(Matrix, xs);
        Assert.Equal([3L, 1L, 4L, 1L, 5L, 9L], idValues);
        Assert.Equal(0, x.ReadRows(xRow, 1));
    }

    [Fact]
    public void MissingKeyListsTheAvailableKeys()
    {
        using var npz = NpzArchive.Open(PathOf("stored.npz"));

        var e = Assert.Throws<DataFormatException>(() => npz.OpenArray("input"));
        Assert.Contains("stored.npz", e.Message, StringComparison.Ordinal);
        Assert.Contains("'input'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x', '/act1/Relu_output_0', 'ids', 'fortran', 'fc2.weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAZipIsADataFormatError()
    {
        var e = Assert.Throws<DataFormatException>(() => NpzArchive.Open(PathOf("f32_c.npy"), "weights.npz"));

        Assert.Contains("weights.npz", e.Message, StringComparison.Ordinal);
        Assert.Contains("np.savez", e.Message, StringComparison.Ordinal);
    }
}
