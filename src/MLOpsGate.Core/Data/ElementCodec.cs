using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MLOpsGate.Core.Data;

/// <summary>Element sizes, names and the conversions from raw (native byte order) element bytes to the requested type.</summary>
internal static class ElementCodec
{
    /// <summary>The names of the supported element types, in the order messages list them.</summary>
    public const string SupportedNumpyTypes = "float16, float32, float64, int32, int64, bool";

    public static int SizeOf(ArrayElementType type) => type switch
    {
        ArrayElementType.Float16 or ArrayElementType.BFloat16 => 2,
        ArrayElementType.Float32 or ArrayElementType.Int32 => 4,
        ArrayElementType.Float64 or ArrayElementType.Int64 => 8,
        ArrayElementType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    public static string NameOf(ArrayElementType type) => type switch
    {
        ArrayElementType.Float16 => "float16",
        ArrayElementType.BFloat16 => "bfloat16",
        ArrayElementType.Float32 => "float32",
        ArrayElementType.Float64 => "float64",
        ArrayElementType.Int32 => "int32",
        ArrayElementType.Int64 => "int64",
        ArrayElementType.Bool => "bool",
        _ => type.ToString(),
    };

    public static bool IsFloatingPoint(ArrayElementType type) =>
        type is ArrayElementType.Float16 or ArrayElementType.BFloat16 or ArrayElementType.Float32 or ArrayElementType.Float64;

    /// <summary>Reverses the byte order of every element of <paramref name="data"/> in place.</summary>
    public static void ReverseEndianness(Span<byte> data, int elementSize)
    {
        switch (elementSize)
        {
            case 1:
                break;
            case 2:
                var u16 = MemoryMarshal.Cast<byte, ushort>(data);
                BinaryPrimitives.ReverseEndianness(u16, u16);
                break;
            case 4:
                var u32 = MemoryMarshal.Cast<byte, uint>(data);
                BinaryPrimitives.ReverseEndianness(u32, u32);
                break;
            case 8:
                var u64 = MemoryMarshal.Cast<byte, ulong>(data);
                BinaryPrimitives.ReverseEndianness(u64, u64);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "unsupported element size");
        }
    }

    /// <summary>
    /// Converts the native-byte-order elements in <paramref name="source"/> to <typeparamref name="T"/>, writing element i to
    /// <c>destination[i * stride]</c>. The caller has checked that the conversion is allowed.
    /// </summary>
    public static void Decode<T>(ArrayElementType type, ReadOnlySpan<byte> source, Span<T> destination, int stride)
        where T : unmanaged, INumberBase<T>
    {
        switch (type)
        {
            case ArrayElementType.Float16:
                Convert(MemoryMarshal.Cast<byte, Half>(source), destination, stride);
                break;
            case ArrayElementType.BFloat16:
                var bf16 = MemoryMarshal.Cast<byte, ushort>(source);
                for (int i = 0, k = 0; i < bf16.Length; i++, k += stride)
                {
                    destination[k] = T.CreateTruncating(BitConverter.Int32BitsToSingle(bf16[i] << 16));
                }

                break;
            case ArrayElementType.Float32:
                Convert(MemoryMarshal.Cast<byte, float>(source), destination, stride);
                break;
            case ArrayElementType.Float64:
                Convert(MemoryMarshal.Cast<byte, double>(source), destination, stride);
                break;
            case ArrayElementType.Int32:
                Convert(MemoryMarshal.Cast<byte, int>(source), destination, stride);
                break;
            case ArrayElementType.Int64:
                Convert(MemoryMarshal.Cast<byte, long>(source), destination, stride);
                break;
            case ArrayElementType.Bool:
                for (int i = 0, k = 0; i < source.Length; i++, k += stride)
                {
                    destination[k] = source[i] != 0 ? T.One : T.Zero;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type");
        }
    }

    /// <summary>Bool elements (any non-zero byte is true) to bool, element i to <c>destination[i * stride]</c>.</summary>
    public static void DecodeBool(ReadOnlySpan<byte> source, Span<bool> destination, int stride)
    {
        for (int i = 0, k = 0; i < source.Length; i++, k += stride)
        {
            destination[k] = source[i] != 0;
        }
    }

    private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination, int stride)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        if (stride == 1)
        {
            if (typeof(TFrom) == typeof(TTo))
            {
                MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(destination);
                return;
            }

            var target = destination[..source.Length];
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = TTo.CreateTruncating(source[i]);
            }

            return;
        }

        for (int i = 0, k = 0; i < source.Length; i++, k += stride)
        {
            destination[k] = TTo.CreateTruncating(source[i]);
        }
    }
}
