namespace MLOpsGate.Core.Data;

/// <summary>
/// Reads a numpy <c>.npy</c> file (format 1.0, 2.0 or 3.0) row by row through a bounded buffer.
/// Supported dtypes: float16, float32, float64, int32, int64 and bool, in either byte order, in C or Fortran order.
/// </summary>
/// <remarks>
/// C-order data is read once, front to back. Fortran-order data is read one column segment per block of rows: memory stays
/// bounded, but every <see cref="ReadRows(Span{float}, int)"/> call seeks once per column, and on a forward-only stream (an
/// .npz entry, stored or deflated) reads the entry again from its start, so large Fortran-order arrays in an .npz are slow:
/// save those in C order (np.ascontiguousarray).
/// </remarks>
public sealed class NpyReader : IArrayReader
{
    private readonly NpyHeader _header;
    private readonly RawArrayReader _inner;

    private NpyReader(NpyHeader header, RawArrayReader inner)
    {
        _header = header;
        _inner = inner;
    }

    public string DisplayName => _inner.DisplayName;

    public ArrayElementType ElementType => _inner.ElementType;

    public IReadOnlyList<long> Shape => _inner.Shape;

    public long RowCount => _inner.RowCount;

    public int RowLength => _inner.RowLength;

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a 0-d array).</summary>
    public long ElementCount => _inner.ElementCount;

    /// <summary>The NPY format version of the file: 1.0, 2.0 or 3.0.</summary>
    public Version FormatVersion => _header.FormatVersion;

    /// <summary>The dtype string from the header, e.g. <c>&lt;f4</c>.</summary>
    public string Descr => _header.Descr;

    public bool IsFortranOrder => _header.FortranOrder;

    public bool IsBigEndian => _header.BigEndian;

    /// <summary>Opens an .npy file; <paramref name="displayName"/> (default: the path) is what messages call it.</summary>
    /// <exception cref="DataFormatException">The file cannot be opened, is not an NPY file, is truncated, or has an unsupported dtype.</exception>
    public static NpyReader Open(string path, string? displayName = null) =>
        Open(path, displayName, DataFiles.DefaultBufferSize);

    /// <summary>
    /// Reads an NPY array from <paramref name="stream"/>, starting at its current position. Fortran-order data needs a seekable stream.
    /// </summary>
    /// <param name="leaveOpen">When false (the default) the reader disposes the stream.</param>
    public static NpyReader Create(Stream stream, string displayName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        return Create(stream, displayName, ownsStream: !leaveOpen, length, reopen: null, DataFiles.DefaultBufferSize);
    }

    internal static NpyReader Open(string path, string? displayName, int bufferSize)
    {
        var name = displayName ?? path;
        var stream = DataFiles.OpenRead(path, name);
        return Create(stream, name, ownsStream: true, stream.Length, reopen: null, bufferSize);
    }

    /// <param name="containerLength">The bytes from the stream's current position to the end of the array file, when known.</param>
    /// <param name="reopen">Opens the array file again from its start (for forward-only streams holding Fortran-order data).</param>
    internal static NpyReader Create(Stream stream, string displayName, bool ownsStream, long? containerLength, Func<Stream>? reopen, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        try
        {
            var basePosition = stream.CanSeek ? stream.Position : 0;
            var header = NpyHeader.Read(stream, displayName);
            var inner = new RawArrayReader(
                stream,
                ownsStream,
                reopen,
                basePosition,
                header.DataOffset,
                containerLength,
                displayName,
                header.ElementType,
                header.BigEndian,
                header.Shape,
                header.FortranOrder,
                bufferSize);
            return new NpyReader(header, inner);
        }
        catch
        {
            if (ownsStream)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    public int ReadRows(Span<float> destination, int maxRows) => _inner.ReadRows(destination, maxRows);

    public int ReadRows(Span<double> destination, int maxRows) => _inner.ReadRows(destination, maxRows);

    public int ReadRows(Span<long> destination, int maxRows) => _inner.ReadRows(destination, maxRows);

    public int ReadRows(Span<bool> destination, int maxRows) => _inner.ReadRows(destination, maxRows);

    public void Dispose() => _inner.Dispose();
}
