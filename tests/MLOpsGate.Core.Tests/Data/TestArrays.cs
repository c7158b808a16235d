using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using MLOpsGate.Core.Data;

namespace MLOpsGate.Core.Tests.Data;

/// <summary>Locates the committed test files and reads whole arrays through the chunked API.</summary>
internal static class TestArrays
{
    private static readonly Lazy<string> Directory = new(FindTestData);

    /// <summary>The values numpy wrote for the 3 x 4 matrix: i * 0.5 - 1.25.</summary>
    public static float[] Matrix => [.. Enumerable.Range(0, 12).Select(i => (i * 0.5f) - 1.25f)];

    public static string PathOf(string fileName) => Path.Combine(Directory.Value, fileName);

    public static float[] ReadAllFloat(IArrayReader reader, int chunkRows = 2)
    {
        var result = new List<float>();
        var buffer = new float[chunkRows * reader.RowLength];
        long rows = 0;
        int n;
        while ((n = reader.ReadRows(buffer, chunkRows)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n * reader.RowLength));
            rows += n;
        }

        Assert.Equal(reader.RowCount, rows);
        return [.. result];
    }

    public static double[] ReadAllDouble(IArrayReader reader, int chunkRows = 2)
    {
        var result = new List<double>();
        var buffer = new double[chunkRows * reader.RowLength];
        long rows = 0;
        int n;
        while ((n = reader.ReadRows(buffer, chunkRows)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n * reader.RowLength));
            rows += n;
        }

        Assert.Equal(reader.RowCount, rows);
        return [.. result];
    }

    public static long[] ReadAllLong(IArrayReader reader, int chunkRows = 2)
    {
        var result = new List<long>();
        var buffer = new long[chunkRows * reader.RowLength];
        long rows = 0;
        int n;
        while ((n = reader.ReadRows(buffer, chunkRows)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n * reader.RowLength));
            rows += n;
        }

        Assert.Equal(reader.RowCount, rows);
        return [.. result];
    }

    public static bool[] ReadAllBool(IArrayReader reader, int chunkRows = 2)
    {
        var result = new List<bool>();
        var buffer = new bool[chunkRows * reader.RowLength];
        long rows = 0;
        int n;
        while ((n = reader.ReadRows(buffer, chunkRows)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n * reader.RowLength));
            rows += n;
        }

        Assert.Equal(reader.RowCount, rows);
        return [.. result];
    }

    /// <summary>An NPY 1.0 file image: header for <paramref name="descr"/>/<paramref name="shape"/>, padded to 64 bytes, then <paramref name="data"/>.</summary>
    public static byte[] NpyV1(string descr, bool fortranOrder, long[] shape, ReadOnlySpan<byte> data)
    {
        var shapeText = shape.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shapeText}, }}";
        var total = 10 + dict.Length + 1;
        var padded = dict + new string(' ', (64 - (total % 64)) % 64) + "\n";
        var header = Encoding.Latin1.GetBytes(padded);
        var result = new byte[10 + header.Length + data.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)header.Length);
        header.CopyTo(result, 10);
        data.CopyTo(result.AsSpan(10 + header.Length));
        return result;
    }

    private static string FindTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLOpsGate.Core.Tests.csproj")))
            {
                return Path.Combine(dir.FullName, "Data", "TestData");
            }
        }

        throw new InvalidOperationException("The test project folder was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlopsgate-data-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] content)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Wraps a stream and hides its ability to seek (like a deflated zip entry).</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
