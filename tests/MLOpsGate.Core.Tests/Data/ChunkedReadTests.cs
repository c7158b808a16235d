using System.Buffers.Binary;
using System.IO.Compression;
using MLOpsGate.Core.Data;
using static MLOpsGate.Core.Tests.Data.TestArrays;

namespace MLOpsGate.Core.Tests.Data;

/// <summary>Arrays larger than the 64 KiB read buffer, read in small and odd-sized chunks.</summary>
public sealed class ChunkedReadTests : IDisposable
{
    private const int Rows = 10_007;
    private const int Columns = 7;
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(Rows + 5)]
    public void COrderRowsComeOutRightAcrossBufferBoundaries(int chunkRows)
    {
        // 280 KB of float32: a 28-byte row straddles every 64 KiB buffer boundary.
        var data = new byte[Rows * Columns * 4];
        for (var i = 0; i < Rows * Columns; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), i * 0.25f);
        }

        var path = _temp.Write("big.npy", NpyV1("<f4", false, [Rows, Columns], data));
        using var reader = NpyReader.Open(path);
        var buffer = new float[chunkRows * Columns];
        long row = 0;
        int n;
        while ((n = reader.ReadRows(buffer, chunkRows)) > 0)
        {
            for (var i = 0; i < n * Columns; i++)
            {
                Assert.Equal(((row * Columns) + i) * 0.25f, buffer[i]);
            }

            row += n;
        }

        Assert.Equal(Rows, row);
    }

    [Fact]
    public void BigEndianFloat64IsSwappedInEveryChunk()
    {
        const int rows = 5003, columns = 11;
        var data = new byte[rows * columns * 8];
        for (var i = 0; i < rows * columns; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(data.AsSpan(i * 8), (i * 1.5) - 7);
        }

        var path = _temp.Write("big_be.npy", NpyV1(">f8", false, [rows, columns], data));
        using var reader = NpyReader.Open(path);

        var values = ReadAllDouble(reader, chunkRows: 77);
        Assert.Equal(rows * columns, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal((i * 1.5) - 7, values[i]);
        }
    }

    [Theory]
    [InlineData(64, 65536)]
    [InlineData(500, 1000)]
    [InlineData(7, 12)]
    public void FortranOrderRowsComeOutRightFromAFile(int chunkRows, int bufferSize)
    {
        var path = _temp.Write("big_f.npy", FortranImage(out var expected));
        using var reader = NpyReader.Open(path, null, bufferSize);

        Assert.Equal(expected, ReadAllFloat(reader, chunkRows));
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public void FortranOrderRowsComeOutRightFromAZipEntry(CompressionLevel level)
    {
        var path = _temp.File("big.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("big.npy", level).Open();
            entry.Write(FortranImage(out _));
        }

        FortranImage(out var expected);
        using var npz = NpzArchive.Open(path);
        using var reader = npz.OpenArray("big");

        Assert.Equal(expected, ReadAllFloat(reader, chunkRows: 700));
    }

    /// <summary>A (3001, 3, 5) float32 array in Fortran order whose C-order flat index i holds i.</summary>
    private static byte[] FortranImage(out float[] cOrderValues)
    {
        const int rows = 3001, a = 3, b = 5;
        var data = new byte[rows * a * b * 4];
        cOrderValues = new float[rows * a * b];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < a; i++)
            {
                for (var j = 0; j < b; j++)
                {
                    var cIndex = (r * a * b) + (i * b) + j;
                    var fIndex = r + (rows * (i + (a * j)));
                    cOrderValues[cIndex] = cIndex;
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(fIndex * 4), cIndex);
                }
            }
        }

        return NpyV1("<f4", true, [rows, a, b], data);
    }
}
