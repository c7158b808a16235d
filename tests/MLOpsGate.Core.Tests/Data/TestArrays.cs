using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Data;

namespace MLOpsGate.Core.Tests.Data;

/// <summary>Locates the committed test files and reads whole arrays through the chunked API.</summary>
internal static class TestArrays
{
    private static readonly Lazy<string> Directory = new(FindTestData);

    /// <summary>The values numpy wrote for the 3 x 4 matrix: i * 0.5 - 1.25.</summary>
    public static float[] Matrix => [.. Enumerable.Range(0, 12).Select(i => (i * 0.5f) - 1.25f)];

    public static string PathOf(string fileName) => Path.Combine(Directory.Value, fileName);

    public static float[] ReadAllFloat(IArrayReader reader, int chunkRows = 2) => ReadAll<float>(reader, chunkRows, reader.ReadRows);

    public static double[] ReadAllDouble(IArrayReader reader, int chunkRows = 2) => ReadAll<double>(reader, chunkRows, reader.ReadRows);

    public static long[] ReadAllLong(IArrayReader reader, int chunkRows = 2) => ReadAll<long>(reader, chunkRows, reader.ReadRows);

    public static bool[] ReadAllBool(IArrayReader reader, int chunkRows = 2) => ReadAll<bool>(reader, chunkRows, reader.ReadRows);

    /// <summary>Reads every row in chunks of <paramref name="chunkRows"/>, checking the row count the header promised.</summary>
    private static T[] ReadAll<T>(IArrayReader reader, int chunkRows, ReadRowsInto<T> read)
    {
        var result = new List<T>();
        var buffer = new T[chunkRows * reader.RowLength];
        long rows = 0;
        int n;
        while ((n = read(buffer, chunkRows)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n * reader.RowLength));
            rows += n;
        }

        Assert.Equal(reader.RowCount, rows);
        return [.. result];
    }

    /// <summary>An NPY 1.0 file image (see <see cref="NpyImage.Create"/>).</summary>
    public static byte[] NpyV1(string descr, bool fortranOrder, long[] shape, ReadOnlySpan<byte> data) =>
        NpyImage.Create(descr, fortranOrder, shape, data);

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
