using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MLOpsGate.Tests.Shared;

/// <summary>Builds NPY 1.0 file images for tests that need hand-made or malformed array files.</summary>
public static class NpyImage
{
    /// <summary>The header for <paramref name="descr"/>/<paramref name="shape"/>, padded to 64 bytes, then <paramref name="data"/>.</summary>
    public static byte[] Create(string descr, bool fortranOrder, long[] shape, ReadOnlySpan<byte> data)
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

    /// <summary>A little-endian float32 array in C order.</summary>
    public static byte[] Float32(long[] shape, float[] values)
    {
        var data = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, data, 0, data.Length);
        return Create("<f4", false, shape, data);
    }
}
