using MLOpsGate.Core.Data;
using static MLOpsGate.Core.Tests.Data.TestArrays;

namespace MLOpsGate.Core.Tests.Data;

public sealed class NpyReaderTests
{
    [Fact]
    public void ReadsVersion1Float32InCOrder()
    {
        using var reader = NpyReader.Open(PathOf("f32_c.npy"));

        Assert.Equal(new Version(1, 0), reader.FormatVersion);
        Assert.Equal("<f4", reader.Descr);
        Assert.Equal(ArrayElementType.Float32, reader.ElementType);
        Assert.Equal([3L, 4L], reader.Shape);
        Assert.Equal(3, reader.RowCount);
        Assert.Equal(4, reader.RowLength);
        Assert.False(reader.IsFortranOrder);
        Assert.Equal(Matrix, ReadAllFloat(reader));
    }

    [Fact]
    public void ReadsFloat32AsDouble()
    {
        using var reader = NpyReader.Open(PathOf("f32_c.npy"));

        Assert.Equal(Matrix.Select(v => (double)v), ReadAllDouble(reader, chunkRows: 1));
    }

    [Fact]
    public void ReadsBigEndianFloat64()
    {
        using var reader = NpyReader.Open(PathOf("f64_be.npy"));

        Assert.True(reader.IsBigEndian);
        Assert.Equal(ArrayElementType.Float64, reader.ElementType);
        Assert.Equal([2L, 3L], reader.Shape);
        var values = ReadAllDouble(reader);
        Assert.Equal([1.5, -2.25, 3.0e10, 1.0e-300, -0.0, 7.0], values);
        Assert.True(double.IsNegative(values[4]));
    }

    [Fact]
    public void NarrowsFloat64ToFloat()
    {
        using var reader = NpyReader.Open(PathOf("f64_be.npy"));

        Assert.Equal([1.5f, -2.25f, 3.0e10f, 0f, -0f, 7f], ReadAllFloat(reader));
    }

    [Fact]
    public void ReadsInt64ExactlyAsLongAndWidensToDouble()
    {
        using (var reader = NpyReader.Open(PathOf("i64.npy")))
        {
            Assert.Equal(ArrayElementType.Int64, reader.ElementType);
            Assert.Equal(4, reader.RowCount);
            Assert.Equal(1, reader.RowLength);
            Assert.Equal([0L, -7L, 1L << 40, -(1L << 62)], ReadAllLong(reader, chunkRows: 3));
        }

        using (var reader = NpyReader.Open(PathOf("i64.npy")))
        {
            Assert.Equal([0.0, -7.0, 1099511627776.0, -4611686018427387904.0], ReadAllDouble(reader));
        }
    }

    [Fact]
    public void ReadsBigEndianInt32()
    {
        using var reader = NpyReader.Open(PathOf("i32_be.npy"));

        Assert.Equal(ArrayElementType.Int32, reader.ElementType);
        Assert.Equal([1L, -2L, 70000L, int.MinValue], ReadAllLong(reader));
    }

    [Fact]
    public void ReadsBoolAsBoolAndAsNumbers()
    {
        using (var reader = NpyReader.Open(PathOf("bool.npy")))
        {
            Assert.Equal(ArrayElementType.Bool, reader.ElementType);
            Assert.Equal("|b1", reader.Descr);
            Assert.Equal([true, false, true, false, false, true], ReadAllBool(reader));
        }

        using (var reader = NpyReader.Open(PathOf("bool.npy")))
        {
            Assert.Equal([1f, 0f, 1f, 0f, 0f, 1f], ReadAllFloat(reader));
        }

        using (var reader = NpyReader.Open(PathOf("bool.npy")))
        {
            Assert.Equal([1L, 0L, 1L, 0L, 0L, 1L], ReadAllLong(reader));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsFortranOrder2D(int chunkRows)
    {
        using var reader = NpyReader.Open(PathOf("f32_fortran.npy"));

        Assert.True(reader.IsFortranOrder);
        Assert.Equal([3L, 4L], reader.Shape);
        Assert.Equal(Matrix, ReadAllFloat(reader, chunkRows));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(2, 8)]
    [InlineData(1, 65536)]
    public void ReadsFortranOrder3DWithAnyBuffer(int chunkRows, int bufferSize)
    {
        using var reader = NpyReader.Open(PathOf("f32_fortran_3d.npy"), null, bufferSize);

        Assert.Equal([2L, 3L, 4L], reader.Shape);
        Assert.Equal(12, reader.RowLength);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), ReadAllFloat(reader, chunkRows));
    }

    [Theory]
    [InlineData("f32_v2.npy", 2)]
    [InlineData("f32_v3.npy", 3)]
    public void ReadsVersion2And3Headers(string file, int major)
    {
        using var reader = NpyReader.Open(PathOf(file));

        Assert.Equal(new Version(major, 0), reader.FormatVersion);
        Assert.Equal(Matrix, ReadAllFloat(reader));
    }

    [Fact]
    public void ReadsFloat16()
    {
        using var reader = NpyReader.Open(PathOf("f16.npy"));

        Assert.Equal(ArrayElementType.Float16, reader.ElementType);
        Assert.Equal([0.5f, -1.25f, 65504f, 6.103515625e-05f], ReadAllFloat(reader));
    }

    [Fact]
    public void ZeroDimensionalArrayIsOneRowOfOneElement()
    {
        using var reader = NpyReader.Open(PathOf("scalar.npy"));

        Assert.Empty(reader.Shape);
        Assert.Equal(1, reader.RowCount);
        Assert.Equal(1, reader.RowLength);
        Assert.Equal([2.5], ReadAllDouble(reader));
    }

    [Fact]
    public void EmptyArrayHasNoRows()
    {
        using var reader = NpyReader.Open(PathOf("empty.npy"));

        Assert.Equal(0, reader.RowCount);
        Assert.Equal(3, reader.RowLength);
        Assert.Equal(0, reader.ReadRows(new float[3], 1));
    }

    [Theory]
    [InlineData("u3.npy", "'<U3'")]
    [InlineData("i2.npy", "'<i2'")]
    [InlineData("structured.npy", "structured dtype")]
    public void UnsupportedDtypeNamesFileDtypeAndFix(string file, string dtype)
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Open(PathOf(file)));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains(dtype, e.Message, StringComparison.Ordinal);
        Assert.Contains("float16, float32, float64, int32, int64, bool", e.Message, StringComparison.Ordinal);
        Assert.Contains("astype(np.float32)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFileIsDetectedUpFront()
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Open(PathOf("truncated.npy")));

        Assert.Contains("truncated.npy", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs 160 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("only 136 are present", e.Message, StringComparison.Ordinal);
        Assert.Contains("np.save", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedForwardOnlyStreamIsDetectedWhileReading()
    {
        using var file = File.OpenRead(PathOf("truncated.npy"));
        using var reader = NpyReader.Create(new ForwardOnlyStream(file), "piped.npy");
        var buffer = new float[40];

        Assert.Equal(8, reader.ReadRows(buffer, 8));
        Assert.Equal(Enumerable.Repeat(1f, 32), buffer.Take(32));
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRows(buffer, 8));
        Assert.Contains("piped.npy", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs 160 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("the data ends after 136 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatDataAsLongIsRejectedWithTheReason()
    {
        using var reader = NpyReader.Open(PathOf("f32_c.npy"), "calib/x.npy");

        var e = Assert.Throws<DataFormatException>(() => reader.ReadRows(new long[12], 3));
        Assert.Contains("calib/x.npy", e.Message, StringComparison.Ordinal);
        Assert.Contains("float data cannot be fed to an integer input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersAsBoolAreRejected()
    {
        using var reader = NpyReader.Open(PathOf("i64.npy"));

        var e = Assert.Throws<DataFormatException>(() => reader.ReadRows(new bool[4], 4));
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationTooSmallIsAnArgumentError()
    {
        using var reader = NpyReader.Open(PathOf("f32_c.npy"));

        Assert.Throws<ArgumentException>(() => reader.ReadRows(new float[7], 2));
    }

    [Fact]
    public void NotAnNpyFileSaysSo()
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Open(PathOf("calib.json")));

        Assert.Contains("calib.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("not an NPY file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NpzGivenAsNpyGetsAHint()
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Open(PathOf("stored.npz")));

        Assert.Contains("zip archive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsADataFormatError()
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Open(PathOf("no-such-file.npy")));

        Assert.Contains("no-such-file.npy", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", true)]
    [InlineData("{\"descr\": \"<f4\", \"shape\": [2], \"fortran_order\": False}", true)]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), 'extra': None}", true)]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", false)]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", false)]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", false)]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", false)]
    [InlineData("['descr', '<f4']", false)]
    public void HeaderDictIsParsedRobustly(string dict, bool valid)
    {
        var data = new byte[8];
        BitConverter.GetBytes(1.5f).CopyTo(data, 0);
        BitConverter.GetBytes(-3f).CopyTo(data, 4);
        var bytes = NpyV1("<f4", false, [2], data);

        // Replace the generated header with the one under test (kept at the same, padded, length).
        var header = dict.PadRight(bytes.Length - 10 - 8 - 1) + "\n";
        var image = NpyV1Raw(header, data);
        if (valid)
        {
            using var reader = NpyReader.Create(new MemoryStream(image), "h.npy");
            Assert.Equal([1.5f, -3f], ReadAllFloat(reader));
        }
        else
        {
            var e = Assert.Throws<DataFormatException>(() => NpyReader.Create(new MemoryStream(image), "h.npy"));
            Assert.Contains("h.npy", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UnknownVersionIsRejected()
    {
        var image = NpyV1("<f4", false, [1], new byte[4]);
        image[6] = 4;

        var e = Assert.Throws<DataFormatException>(() => NpyReader.Create(new MemoryStream(image), "v4.npy"));
        Assert.Contains("version 4.0", e.Message, StringComparison.Ordinal);
    }

    private static byte[] NpyV1Raw(string header, byte[] data)
    {
        var h = System.Text.Encoding.Latin1.GetBytes(header);
        var result = new byte[10 + h.Length + data.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(result, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)h.Length);
        h.CopyTo(result, 10);
        data.CopyTo(result, 10 + h.Length);
        return result;
    }
}
