using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MLOpsGate.Core.Data;

/// <summary>The parsed header of an NPY file (format versions 1.0, 2.0 and 3.0).</summary>
internal sealed record NpyHeader(
    Version FormatVersion,
    string Descr,
    ArrayElementType ElementType,
    bool BigEndian,
    bool FortranOrder,
    IReadOnlyList<long> Shape,
    long DataOffset)
{
    private const int MaxHeaderLength = 1 << 20;

    private const string SaveAdvice =
        "Save it with np.save(path, arr.astype(np.float32)) (or arr.astype(np.int64) for integer inputs).";

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the header from <paramref name="stream"/>, leaving it positioned at the first data byte.</summary>
    public static NpyHeader Read(Stream stream, string displayName)
    {
        Span<byte> prefix = stackalloc byte[12];
        var got = ReadUpTo(stream, prefix[..8], displayName);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            var hint = got >= 4 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K'
                ? " It looks like a zip archive: an .npz file must have the .npz extension."
                : " Save arrays with np.save.";
            throw new DataFormatException($"{displayName}: not an NPY file (it does not start with the \\x93NUMPY magic).{hint}");
        }

        int major = prefix[6], minor = prefix[7];
        int lengthSize = (major, minor) switch
        {
            (1, 0) => 2,
            (2, 0) or (3, 0) => 4,
            _ => throw new DataFormatException(
                $"{displayName}: NPY format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are). Save it again with np.save."),
        };

        if (ReadUpTo(stream, prefix.Slice(8, lengthSize), displayName) < lengthSize)
        {
            throw new DataFormatException($"{displayName}: the NPY header is truncated. Re-save the array (np.save) and copy the complete file.");
        }

        long headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (headerLength > MaxHeaderLength)
        {
            throw new DataFormatException(
                $"{displayName}: the NPY header claims {headerLength} bytes, more than the {MaxHeaderLength} allowed; the file is corrupt.");
        }

        var headerBytes = new byte[headerLength];
        if (ReadUpTo(stream, headerBytes, displayName) < headerLength)
        {
            throw new DataFormatException($"{displayName}: the NPY header is truncated. Re-save the array (np.save) and copy the complete file.");
        }

        string text;
        try
        {
            // Versions 1.0 and 2.0 are latin-1; 3.0 is UTF-8.
            text = major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException($"{displayName}: the NPY 3.0 header is not valid UTF-8.", e);
        }

        var parsed = ParseDictionary(text, displayName);
        var descr = parsed.Descr;
        var (type, bigEndian) = ParseDescr(descr, displayName);
        return new NpyHeader(new Version(major, minor), descr, type, bigEndian, parsed.FortranOrder, parsed.Shape, 8 + lengthSize + headerLength);
    }

    /// <summary>Maps a numpy dtype string (e.g. "&lt;f4") to a supported element type and byte order.</summary>
    internal static (ArrayElementType Type, bool BigEndian) ParseDescr(string descr, string displayName)
    {
        var order = descr.Length > 0 ? descr[0] : '\0';
        var code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        var bigEndian = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        ArrayElementType? type = code switch
        {
            "f2" or "e" => ArrayElementType.Float16,
            "f4" or "f" => ArrayElementType.Float32,
            "f8" or "d" => ArrayElementType.Float64,
            "i4" => ArrayElementType.Int32,
            "i8" or "q" => ArrayElementType.Int64,
            "b1" or "?" => ArrayElementType.Bool,
            _ => null,
        };

        if (type is null)
        {
            throw new DataFormatException(
                $"{displayName}: dtype '{descr}' ({DescribeDtype(code)}) is not supported; supported dtypes are {ElementCodec.SupportedNumpyTypes}. {SaveAdvice}");
        }

        return (type.Value, bigEndian);
    }

    private static (string Descr, bool FortranOrder, IReadOnlyList<long> Shape) ParseDictionary(string text, string displayName)
    {
        object? literal;
        try
        {
            literal = PythonLiteral.Parse(text);
        }
        catch (FormatException e)
        {
            throw new DataFormatException($"{displayName}: the NPY header is not a valid Python dict literal ({e.Message}): {Abbreviate(text)}", e);
        }

        if (literal is not Dictionary<string, object?> dict)
        {
            throw new DataFormatException($"{displayName}: the NPY header is not a dict: {Abbreviate(text)}");
        }

        foreach (var key in (string[])["descr", "fortran_order", "shape"])
        {
            if (!dict.ContainsKey(key))
            {
                throw new DataFormatException($"{displayName}: the NPY header lacks the '{key}' key: {Abbreviate(text)}");
            }
        }

        var descr = dict["descr"] switch
        {
            string s => s,
            PythonSequence => throw new DataFormatException(
                $"{displayName}: the array has a structured dtype ({Abbreviate(FormatLiteral(dict["descr"]))}), which is not supported; "
                + $"supported dtypes are {ElementCodec.SupportedNumpyTypes}. Save each field as its own array, e.g. np.savez(path, x=arr['x'].astype(np.float32))."),
            _ => throw new DataFormatException($"{displayName}: the NPY header's 'descr' is not a string: {Abbreviate(text)}"),
        };

        if (dict["fortran_order"] is not bool fortranOrder)
        {
            throw new DataFormatException($"{displayName}: the NPY header's 'fortran_order' is not True or False: {Abbreviate(text)}");
        }

        if (dict["shape"] is not PythonSequence shapeSequence)
        {
            throw new DataFormatException($"{displayName}: the NPY header's 'shape' is not a tuple: {Abbreviate(text)}");
        }

        var shape = new long[shapeSequence.Items.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            if (shapeSequence.Items[i] is not long d || d < 0)
            {
                throw new DataFormatException($"{displayName}: the NPY header's 'shape' must hold non-negative integers: {Abbreviate(text)}");
            }

            shape[i] = d;
        }

        return (descr, fortranOrder, shape);
    }

    private static string DescribeDtype(string code)
    {
        if (code.Length == 0)
        {
            return "empty";
        }

        var rest = code[1..];
        var bytes = int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        return code[0] switch
        {
            'f' when bytes > 0 => $"float{bytes * 8}",
            'i' when bytes > 0 => $"int{bytes * 8}",
            'u' when bytes > 0 => $"uint{bytes * 8}",
            'c' when bytes > 0 => $"complex{bytes * 8}",
            'b' when bytes > 0 => $"{bytes}-byte bool",
            'U' => "unicode strings",
            'S' or 'a' => "byte strings",
            'O' => "Python objects",
            'V' => "raw bytes or records",
            'M' => "datetimes",
            'm' => "timedeltas",
            _ => "an unknown type",
        };
    }

    private static string FormatLiteral(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        PythonSequence seq => (seq.IsTuple ? "(" : "[") + string.Join(", ", seq.Items.Select(FormatLiteral)) + (seq.IsTuple ? ")" : "]"),
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => $"'{kv.Key}': {FormatLiteral(kv.Value)}")) + "}",
        _ => value.ToString() ?? string.Empty,
    };

    private static string Abbreviate(string text)
    {
        text = text.Trim();
        return text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "...");
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer, string displayName)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            throw DataFiles.ReadFailed(displayName, e);
        }
    }
}
