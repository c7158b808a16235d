using System.Globalization;
using System.Numerics;

namespace MLOpsGate.Core.Data;

/// <summary>
/// Streams the rows of a raw n-dimensional array (C or Fortran order, either byte order) from a stream through a bounded buffer.
/// </summary>
/// <remarks>
/// Positions are relative to the start of the array's container (the NPY magic), so that a stream re-opened by
/// <c>reopen</c> (a zip entry, which cannot seek) lines up with the original one.
/// C order reads the data once, front to back. Fortran order reads, for each block of rows, one segment per column: it seeks on
/// a seekable stream; on a forward-only stream it skips forward and re-opens the stream when it has to go back.
/// </remarks>
internal sealed class RawArrayReader : IArrayReader
{
    private readonly Func<Stream>? _reopen;
    private readonly bool _ownsStream;
    private readonly long[] _shape;
    private readonly bool _swapBytes;
    private readonly bool _fortranLayout;
    private readonly int _elementSize;
    private readonly long _dataOffset;
    private readonly long _dataBytes;
    private readonly byte[] _buffer;
    private readonly long[] _innerStrides;
    private readonly long[] _innerIndex;
    private Stream _stream;
    private long _basePosition;
    private long _position;
    private long _rowsRead;
    private bool _disposed;

    /// <param name="stream">Positioned at <paramref name="dataOffset"/> (relative to the container start).</param>
    /// <param name="ownsStream">Whether disposing the reader disposes <paramref name="stream"/> (streams from <paramref name="reopen"/> are always owned).</param>
    /// <param name="reopen">Opens the container again at its start; lets Fortran-order data be read from a forward-only stream.</param>
    /// <param name="basePosition">The absolute position of the container start in a seekable <paramref name="stream"/>.</param>
    /// <param name="dataOffset">Where the element data starts, relative to the container start.</param>
    /// <param name="containerLength">The container's total length when known; used to detect truncation up front.</param>
    public RawArrayReader(
        Stream stream,
        bool ownsStream,
        Func<Stream>? reopen,
        long basePosition,
        long dataOffset,
        long? containerLength,
        string displayName,
        ArrayElementType elementType,
        bool bigEndian,
        IReadOnlyList<long> shape,
        bool fortranOrder,
        int bufferSize = DataFiles.DefaultBufferSize)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _reopen = reopen;
        _basePosition = basePosition;
        _dataOffset = dataOffset;
        _position = dataOffset;
        DisplayName = displayName;
        ElementType = elementType;
        _shape = [.. shape];
        _elementSize = ElementCodec.SizeOf(elementType);
        _swapBytes = _elementSize > 1 && bigEndian == BitConverter.IsLittleEndian;

        var count = DataFiles.ElementCount(_shape);
        if (count is null || count.Value > long.MaxValue / _elementSize)
        {
            throw new DataFormatException($"{displayName}: the shape {DataFiles.FormatShape(_shape)} is invalid or too large.");
        }

        ElementCount = count.Value;
        _dataBytes = ElementCount * _elementSize;
        RowCount = _shape.Length == 0 ? 1 : _shape[0];
        var rowLength = DataFiles.ElementCount(_shape.Length == 0 ? [] : _shape[1..]) ?? long.MaxValue;
        if (rowLength > int.MaxValue)
        {
            throw new DataFormatException(
                $"{displayName}: rows of shape {DataFiles.FormatShape(_shape)} hold {rowLength} elements, more than the {int.MaxValue} a row may hold.");
        }

        RowLength = (int)rowLength;

        // Fortran order differs from C order only when more than one axis has more than one element.
        _fortranLayout = fortranOrder && _shape.Count(d => d > 1) > 1;
        _innerIndex = _fortranLayout ? new long[_shape.Length - 1] : [];
        _innerStrides = _fortranLayout ? new long[_shape.Length - 1] : [];
        long stride = 1;
        for (var a = _innerStrides.Length - 1; a >= 0; a--)
        {
            _innerStrides[a] = stride;
            stride *= _shape[a + 1];
        }

        if (_fortranLayout && !stream.CanSeek && reopen is null)
        {
            throw new DataFormatException(
                $"{displayName}: Fortran-order data can only be read from a seekable file; save it in C order with np.save(path, np.ascontiguousarray(arr)).");
        }

        if (containerLength is { } length && length - dataOffset < _dataBytes)
        {
            throw Truncated(Math.Max(0, length - dataOffset), atEnd: false);
        }

        var size = Math.Max(bufferSize / _elementSize, 1) * _elementSize;
        _buffer = new byte[(int)Math.Clamp(_dataBytes, _elementSize, size)];
    }

    public string DisplayName { get; }

    public ArrayElementType ElementType { get; }

    public IReadOnlyList<long> Shape => _shape;

    public long RowCount { get; }

    public int RowLength { get; }

    public long ElementCount { get; }

    public int ReadRows(Span<float> destination, int maxRows) => ReadNumeric(destination, maxRows, integerTarget: false);

    public int ReadRows(Span<double> destination, int maxRows) => ReadNumeric(destination, maxRows, integerTarget: false);

    public int ReadRows(Span<long> destination, int maxRows) => ReadNumeric(destination, maxRows, integerTarget: true);

    public int ReadRows(Span<bool> destination, int maxRows)
    {
        if (ElementType != ArrayElementType.Bool)
        {
            throw new DataFormatException(
                $"{DisplayName}: holds {ElementCodec.NameOf(ElementType)} data, which cannot be fed to a bool input; save it with arr.astype(np.bool_).");
        }

        return ReadCore(destination, maxRows, static (_, source, target, stride) => ElementCodec.DecodeBool(source, target, stride));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    private int ReadNumeric<T>(Span<T> destination, int maxRows, bool integerTarget)
        where T : unmanaged, INumberBase<T>
    {
        if (integerTarget && ElementCodec.IsFloatingPoint(ElementType))
        {
            throw new DataFormatException(
                $"{DisplayName}: holds {ElementCodec.NameOf(ElementType)} data; float data cannot be fed to an integer input. "
                + "Save the integer values with arr.astype(np.int64).");
        }

        return ReadCore(destination, maxRows, static (type, source, target, stride) => ElementCodec.Decode(type, source, target, stride));
    }

    private delegate void Decoder<T>(ArrayElementType type, ReadOnlySpan<byte> source, Span<T> destination, int stride);

    private int ReadCore<T>(Span<T> destination, int maxRows, Decoder<T> decode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var rows = (int)Math.Min(maxRows, RowCount - _rowsRead);
        if (rows <= 0)
        {
            return 0;
        }

        var needed = (long)rows * RowLength;
        if (destination.Length < needed)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The destination holds {destination.Length} elements; {rows} rows of {RowLength} need {needed}."),
                nameof(destination));
        }

        try
        {
            if (_fortranLayout)
            {
                ReadFortran(destination, rows, decode);
            }
            else
            {
                ReadContiguous(destination[..(int)needed], decode);
            }
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            throw DataFiles.ReadFailed(DisplayName, e);
        }

        _rowsRead += rows;
        return rows;
    }

    private void ReadContiguous<T>(Span<T> destination, Decoder<T> decode)
    {
        var bufferElements = _buffer.Length / _elementSize;
        var done = 0;
        while (done < destination.Length)
        {
            var count = Math.Min(bufferElements, destination.Length - done);
            var raw = _buffer.AsSpan(0, count * _elementSize);
            FillExactly(raw);
            decode(ElementType, raw, destination[done..], 1);
            done += count;
        }
    }

    /// <summary>
    /// Reads rows [_rowsRead, _rowsRead + rows) of a Fortran-order array: element (r, j) of the C-order row layout lives at
    /// r + RowCount * k, where k is j's Fortran-order index among the trailing axes. The columns are visited in k order so
    /// positions only increase within one call.
    /// </summary>
    private void ReadFortran<T>(Span<T> destination, int rows, Decoder<T> decode)
    {
        var inner = _shape.AsSpan(1);
        var cStrides = _innerStrides;
        var index = _innerIndex;
        index.AsSpan().Clear();
        var bufferElements = _buffer.Length / _elementSize;
        for (long k = 0; k < RowLength; k++)
        {
            long j = 0;
            for (var a = 0; a < inner.Length; a++)
            {
                j += index[a] * cStrides[a];
            }

            for (var start = 0; start < rows; start += bufferElements)
            {
                var count = Math.Min(bufferElements, rows - start);
                SeekTo(_dataOffset + ((_rowsRead + start + (RowCount * k)) * _elementSize));
                var raw = _buffer.AsSpan(0, count * _elementSize);
                FillExactly(raw);
                decode(ElementType, raw, destination[(int)((start * (long)RowLength) + j)..], RowLength);
            }

            // Next Fortran-order index: the first trailing axis varies fastest.
            for (var a = 0; a < inner.Length; a++)
            {
                if (++index[a] < inner[a])
                {
                    break;
                }

                index[a] = 0;
            }
        }
    }

    private void SeekTo(long position)
    {
        if (position == _position)
        {
            return;
        }

        if (_stream.CanSeek)
        {
            _stream.Seek(_basePosition + position, SeekOrigin.Begin);
            _position = position;
            return;
        }

        if (position < _position)
        {
            if (_reopen is null)
            {
                throw new InvalidOperationException("A forward-only stream cannot go back.");
            }

            var fresh = _reopen();
            if (_ownsStream)
            {
                _stream.Dispose();
            }

            _stream = fresh;
            _basePosition = fresh.CanSeek ? fresh.Position : 0;
            _position = 0;
            if (fresh.CanSeek)
            {
                SeekTo(position);
                return;
            }
        }

        while (_position < position)
        {
            var chunk = _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, position - _position));
            FillExactly(chunk, swap: false);
        }
    }

    private void FillExactly(Span<byte> target, bool swap = true)
    {
        var read = _stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        if (read < target.Length)
        {
            throw Truncated(Math.Max(0, _position + read - _dataOffset), atEnd: true);
        }

        _position += read;
        if (swap && _swapBytes)
        {
            ElementCodec.ReverseEndianness(target, _elementSize);
        }
    }

    private DataFormatException Truncated(long availableBytes, bool atEnd)
    {
        var found = atEnd ? $"the data ends after {availableBytes} bytes" : $"only {availableBytes} are present";
        return new DataFormatException(
            $"{DisplayName}: the file is truncated: shape {DataFiles.FormatShape(_shape)} of {ElementCodec.NameOf(ElementType)} needs "
            + $"{_dataBytes} bytes of data after the header, but {found}. Re-save the array (np.save) and copy the complete file.");
    }
}
