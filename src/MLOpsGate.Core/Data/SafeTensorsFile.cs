using System.Buffers.Binary;
using System.Text.Json;

namespace MLOpsGate.Core.Data;

/// <summary>
/// A <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header
/// <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>, then the little-endian tensor data.
/// Readable dtypes: F16, BF16, F32, F64, I32, I64 and BOOL. The header is validated when the file is opened.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderLength = 100L * 1024 * 1024;
    private const string MetadataKey = "__metadata__";
    private const string SupportedDTypes = "F16, BF16, F32, F64, I32, I64, BOOL";

    private readonly FileStream _stream;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private readonly long _dataStart;
    private bool _disposed;

    private SafeTensorsFile(FileStream stream, string displayName, long dataStart, Dictionary<string, TensorInfo> tensors, List<string> names, Dictionary<string, string> metadata)
    {
        _stream = stream;
        DisplayName = displayName;
        _dataStart = dataStart;
        _tensors = tensors;
        Names = names;
        Metadata = metadata;
    }

    public string DisplayName { get; }

    /// <summary>The tensor names in header order (without <c>__metadata__</c>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates a .safetensors file; <paramref name="displayName"/> (default: the path) is what messages call it.</summary>
    /// <exception cref="DataFormatException">The file cannot be opened or its header is invalid or inconsistent with the file.</exception>
    public static SafeTensorsFile Open(string path, string? displayName = null)
    {
        var name = displayName ?? path;
        var stream = DataFiles.OpenRead(path, name);
        try
        {
            var (dataStart, tensors, names, metadata) = ReadHeader(stream, name);
            return new SafeTensorsFile(stream, name, dataStart, tensors, names, metadata);
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            stream.Dispose();
            throw DataFiles.ReadFailed(name, e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public IReadOnlyList<long> GetShape(string name) => Get(name).Shape;

    /// <summary>The tensor's dtype as written in the header, e.g. "BF16".</summary>
    public string GetDType(string name) => Get(name).DType;

    /// <exception cref="DataFormatException">The tensor's dtype is not one of the readable ones.</exception>
    public ArrayElementType GetElementType(string name) => RequireSupported(name, Get(name));

    /// <summary>Reads the whole tensor, converted to double, in C order.</summary>
    /// <exception cref="DataFormatException">The name is missing, the dtype is not readable, or the data cannot be read.</exception>
    public double[] ReadAsDouble(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Get(name);
        var type = RequireSupported(name, info);
        var elementSize = ElementCodec.SizeOf(type);
        var count = (info.End - info.Begin) / elementSize;
        if (count > Array.MaxLength)
        {
            throw new DataFormatException($"{DisplayName}: tensor '{name}' has {count} elements, too many to load at once.");
        }

        var result = new double[count];
        var buffer = new byte[(int)Math.Clamp(info.End - info.Begin, elementSize, DataFiles.DefaultBufferSize)];
        try
        {
            _stream.Seek(_dataStart + info.Begin, SeekOrigin.Begin);
            var done = 0L;
            while (done < count)
            {
                var n = (int)Math.Min(buffer.Length / elementSize, count - done);
                var raw = buffer.AsSpan(0, n * elementSize);
                _stream.ReadExactly(raw);
                if (!BitConverter.IsLittleEndian)
                {
                    ElementCodec.ReverseEndianness(raw, elementSize);
                }

                ElementCodec.Decode(type, raw, result.AsSpan((int)done), 1);
                done += n;
            }
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{DisplayName}: the file is truncated inside tensor '{name}'. Copy the complete file.", e);
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            throw DataFiles.ReadFailed(DisplayName, e);
        }

        return result;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _stream.Dispose();
        }
    }

    private static int? DTypeSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E4M3FN" or "F8_E5M2FNUZ" or "F8_E4M3FNUZ" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => null,
    };

    private static ArrayElementType? ElementTypeOf(string dtype) => dtype switch
    {
        "F16" => ArrayElementType.Float16,
        "BF16" => ArrayElementType.BFloat16,
        "F32" => ArrayElementType.Float32,
        "F64" => ArrayElementType.Float64,
        "I32" => ArrayElementType.Int32,
        "I64" => ArrayElementType.Int64,
        "BOOL" => ArrayElementType.Bool,
        _ => null,
    };

    private static (long DataStart, Dictionary<string, TensorInfo> Tensors, List<string> Names, Dictionary<string, string> Metadata) ReadHeader(
        FileStream stream, string displayName)
    {
        var fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8)
        {
            throw new DataFormatException($"{displayName}: not a .safetensors file: it is only {fileLength} bytes long.");
        }

        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderLength || headerLength > (ulong)(fileLength - 8))
        {
            throw new DataFormatException(
                $"{displayName}: not a valid .safetensors file: the header length {headerLength} does not fit the file size {fileLength}. "
                + "Save the weights with safetensors' save_file.");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{displayName}: the .safetensors header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException($"{displayName}: the .safetensors header is not a JSON object.");
            }

            var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            var names = new List<string>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var item in property.Value.EnumerateObject())
                        {
                            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                        }
                    }

                    continue;
                }

                var info = ParseTensor(property.Name, property.Value, dataLength, displayName);
                if (!tensors.TryAdd(property.Name, info))
                {
                    throw new DataFormatException($"{displayName}: the .safetensors header names tensor '{property.Name}' twice.");
                }

                names.Add(property.Name);
            }

            return (dataStart, tensors, names, metadata);
        }
    }

    private static TensorInfo ParseTensor(string name, JsonElement value, long dataLength, string displayName)
    {
        DataFormatException Bad(string what) =>
            new($"{displayName}: tensor '{name}' in the .safetensors header {what}. Save the weights with safetensors' save_file.");

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad("is not an object");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Bad("has no string 'dtype'");
        }

        var dtype = dtypeElement.GetString()!;
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Bad("has no 'shape' array");
        }

        var shape = new List<long>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
            {
                throw Bad("has a 'shape' that is not a list of non-negative integers");
            }

            shape.Add(dim);
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
        {
            throw Bad("has no 'data_offsets' pair of integers");
        }

        if (begin < 0 || end < begin || end > dataLength)
        {
            throw Bad($"has data_offsets [{begin}, {end}] outside the {dataLength} data bytes of the file (is the file truncated?)");
        }

        var count = DataFiles.ElementCount(shape);
        if (DTypeSize(dtype) is { } size && (count is null || count.Value > long.MaxValue / size || count.Value * size != end - begin))
        {
            throw Bad($"has data_offsets [{begin}, {end}] ({end - begin} bytes), but shape {DataFiles.FormatShape(shape)} of {dtype} needs {count * size} bytes");
        }

        return new TensorInfo(dtype, shape, begin, end);
    }

    private TensorInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_tensors.TryGetValue(name, out var info))
        {
            throw new DataFormatException($"{DisplayName}: has no tensor '{name}'; the tensors are {DataFiles.ListNames(Names)}.");
        }

        return info;
    }

    private ArrayElementType RequireSupported(string name, TensorInfo info) =>
        ElementTypeOf(info.DType) ?? throw new DataFormatException(
            $"{DisplayName}: tensor '{name}' has dtype {info.DType}, which is not supported; supported dtypes are {SupportedDTypes}. "
            + "Convert it before saving, e.g. tensor.float().");

    private sealed record TensorInfo(string DType, IReadOnlyList<long> Shape, long Begin, long End);
}
