using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MLOpsGate.Core.Data;

/// <summary>
/// Named arrays given as JSON: <c>{"&lt;input name&gt;": nested arrays}</c> (a bare number is a 0-d array).
/// The file is loaded and validated whole when opened — JSON is meant for small calibration sets; use .npy/.npz for large ones.
/// </summary>
/// <remarks>
/// The element type is inferred per key: all integers (no decimal point or exponent) → int64; any other number → float64;
/// all true/false → bool. Int64 data can be read as float, double or long; float64 data as float or double.
/// </remarks>
public sealed class JsonArrayFile
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    private readonly Dictionary<string, JsonArray> _arrays;

    private JsonArrayFile(string displayName, Dictionary<string, JsonArray> arrays, List<string> keys)
    {
        DisplayName = displayName;
        _arrays = arrays;
        Keys = keys;
    }

    public string DisplayName { get; }

    /// <summary>The top-level keys, in file order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Loads and validates a JSON array file; <paramref name="displayName"/> (default: the path) is what messages call it.</summary>
    /// <exception cref="DataFormatException">The file cannot be read, is not valid JSON, or holds ragged arrays or non-numbers.</exception>
    public static JsonArrayFile Load(string path, string? displayName = null)
    {
        var name = displayName ?? path;
        using var stream = DataFiles.OpenRead(path, name);
        byte[] bytes;
        try
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            throw DataFiles.ReadFailed(name, e);
        }

        return Parse(bytes, name);
    }

    internal static JsonArrayFile Parse(string json, string displayName) => Parse(Encoding.UTF8.GetBytes(json), displayName);

    internal static JsonArrayFile Parse(ReadOnlyMemory<byte> json, string displayName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(
                $"{displayName}: not valid JSON ({e.Message}). NaN and Infinity are not JSON; use .npy or .npz for such data.", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(
                    $"{displayName}: must be a JSON object {{\"<input name>\": nested arrays}}, not a {Describe(document.RootElement.ValueKind)}.");
            }

            var arrays = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
            var keys = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (arrays.ContainsKey(property.Name))
                {
                    throw new DataFormatException($"{displayName}: the key '{property.Name}' appears twice.");
                }

                arrays.Add(property.Name, ParseArray(property.Name, property.Value, displayName));
                keys.Add(property.Name);
            }

            return new JsonArrayFile(displayName, arrays, keys);
        }
    }

    public bool ContainsKey(string key) => _arrays.ContainsKey(key);

    public IReadOnlyList<long> GetShape(string key) => Get(key).Shape;

    public ArrayElementType GetElementType(string key) => Get(key).ElementType;

    /// <summary>A reader over the array under <paramref name="key"/> (from memory).</summary>
    /// <exception cref="DataFormatException">The key is missing; the message lists the available keys.</exception>
    public IArrayReader Open(string key)
    {
        var array = Get(key);
        var stream = new MemoryStream(array.Data, writable: false);
        return new RawArrayReader(
            stream,
            ownsStream: true,
            reopen: null,
            basePosition: 0,
            dataOffset: 0,
            containerLength: array.Data.Length,
            $"{DisplayName}['{key}']",
            array.ElementType,
            bigEndian: !BitConverter.IsLittleEndian,
            array.Shape,
            fortranOrder: false);
    }

    private JsonArray Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _arrays.TryGetValue(key, out var array)
            ? array
            : throw new DataFormatException($"{DisplayName}: has no key '{key}'; the available keys are {DataFiles.ListNames(Keys)}.");
    }

    private static JsonArray ParseArray(string key, JsonElement root, string displayName)
    {
        // The shape follows the first element at each depth; every other element must then match it.
        var shape = new List<long>();
        var probe = root;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            var length = probe.GetArrayLength();
            shape.Add(length);
            if (length == 0)
            {
                break;
            }

            probe = probe[0];
        }

        var state = new ScanState();
        Scan(root, 0, shape, new StringBuilder(key), ref state, displayName);

        var count = (int)(DataFiles.ElementCount(shape) ?? 0);
        byte[] data;
        ArrayElementType type;
        if (state.Bools > 0 && state.Numbers > 0)
        {
            throw new DataFormatException(
                $"{displayName}: key '{key}' mixes true/false with numbers; use numbers only (1/0 for booleans).");
        }

        if (state.Bools > 0)
        {
            type = ArrayElementType.Bool;
            var values = new byte[count];
            var i = 0;
            Fill(root, values, ref i, static e => e.GetBoolean() ? (byte)1 : (byte)0);
            data = values;
        }
        else if (state.NonIntegers == 0)
        {
            type = ArrayElementType.Int64;
            var values = new long[count];
            var i = 0;
            Fill(root, values, ref i, static e => e.GetInt64());
            data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }
        else
        {
            type = ArrayElementType.Float64;
            var values = new double[count];
            var i = 0;
            Fill(root, values, ref i, static e => e.GetDouble());
            data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        return new JsonArray(type, shape, data);
    }

    private static void Fill<T>(JsonElement element, T[] values, ref int index, Func<JsonElement, T> convert)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Fill(item, values, ref index, convert);
            }

            return;
        }

        values[index++] = convert(element);
    }

    private static void Scan(JsonElement element, int depth, List<long> shape, StringBuilder path, ref ScanState state, string displayName)
    {
        if (depth < shape.Count)
        {
            if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
            {
                var found = element.ValueKind == JsonValueKind.Array
                    ? string.Create(CultureInfo.InvariantCulture, $"an array of {element.GetArrayLength()}")
                    : $"a {Describe(element.ValueKind)}";
                throw new DataFormatException(
                    $"{displayName}: key '{path}' is {found} where an array of {shape[depth]} is expected: the arrays are ragged. "
                    + $"Every row must have the same shape ({DataFiles.FormatShape(shape)} from the first elements).");
            }

            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                var mark = path.Length;
                path.Append(CultureInfo.InvariantCulture, $"[{index++}]");
                Scan(item, depth + 1, shape, path, ref state, displayName);
                path.Length = mark;
            }

            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                state.Numbers++;
                if (!element.TryGetInt64(out _))
                {
                    state.NonIntegers++;
                }

                break;
            case JsonValueKind.True or JsonValueKind.False:
                state.Bools++;
                break;
            case JsonValueKind.Array:
                throw new DataFormatException(
                    $"{displayName}: key '{path}' is an array where a number is expected: the arrays are ragged. "
                    + $"Every row must have the same shape ({DataFiles.FormatShape(shape)} from the first elements).");
            default:
                throw new DataFormatException(
                    $"{displayName}: key '{path}' is a {Describe(element.ValueKind)}, not a number; calibration arrays must hold numbers only.");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "JSON object",
        JsonValueKind.Array => "JSON array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private struct ScanState
    {
        public long Numbers;
        public long Bools;
        public long NonIntegers;
    }

    private sealed record JsonArray(ArrayElementType ElementType, IReadOnlyList<long> Shape, byte[] Data);
}
