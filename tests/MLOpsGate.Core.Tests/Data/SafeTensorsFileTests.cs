using System.Buffers.Binary;
using System.Text;
using MLOpsGate.Core.Data;
using static MLOpsGate.Core.Tests.Data.TestArrays;

namespace MLOpsGate.Core.Tests.Data;

public sealed class SafeTensorsFileTests
{
    [Fact]
    public void ListsNamesShapesAndMetadata()
    {
        using var file = SafeTensorsFile.Open(PathOf("weights.safetensors"));

        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "step", "mask"], file.Names);
        Assert.Equal([2L, 3L], file.GetShape("fc1.weight"));
        Assert.Equal([6L], file.GetShape("fc1.bias"));
        Assert.Equal("BF16", file.GetDType("fc1.bias"));
        Assert.Equal(ArrayElementType.BFloat16, file.GetElementType("fc1.bias"));
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void ReadsF32BF16F16AndI64Exactly()
    {
        using var file = SafeTensorsFile.Open(PathOf("weights.safetensors"));

        Assert.Equal([1.0, -2.5, 3.25, 0.125, -0.0, (double)1.0e-3f], file.ReadAsDouble("fc1.weight"));
        Assert.Equal([1.5, -2.0, 0.15625, 256.0, -0.0078125, 3.0], file.ReadAsDouble("fc1.bias"));
        Assert.Equal([0.5, -1.25, 65504.0, 6.103515625e-05], file.ReadAsDouble("fc2.weight"));
        Assert.Equal([1.0, -2.0, 1099511627776.0], file.ReadAsDouble("step"));
    }

    [Fact]
    public void UnsupportedDtypeNamesTheTensorAndTheSupportedOnes()
    {
        using var file = SafeTensorsFile.Open(PathOf("weights.safetensors"));

        Assert.Equal([2L], file.GetShape("mask"));
        var e = Assert.Throws<DataFormatException>(() => file.ReadAsDouble("mask"));
        Assert.Contains("weights.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("'mask'", e.Message, StringComparison.Ordinal);
        Assert.Contains("U8", e.Message, StringComparison.Ordinal);
        Assert.Contains("F16, BF16, F32, F64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingNameListsTheTensors()
    {
        using var file = SafeTensorsFile.Open(PathOf("weights.safetensors"));

        var e = Assert.Throws<DataFormatException>(() => file.ReadAsDouble("fc3.weight"));
        Assert.Contains("'fc3.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'fc1.weight', 'fc1.bias'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OffsetsPastTheDataAreRejected()
    {
        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Open(PathOf("bad_offsets.safetensors")));

        Assert.Contains("bad_offsets.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("'mask'", e.Message, StringComparison.Ordinal);
        Assert.Contains("data_offsets", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OffsetsInconsistentWithShapeAreRejected()
    {
        using var temp = new TempDir();
        var path = temp.Write("w.safetensors", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));

        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs 12 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRejected()
    {
        using var temp = new TempDir();
        var bytes = Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1_000_000);
        var path = temp.Write("w.safetensors", bytes);

        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("w.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("header length 1000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderThatIsNotJsonIsRejected()
    {
        using var temp = new TempDir();
        var path = temp.Write("w.safetensors", Build("{nope", []));

        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsFloat64WrittenFromCSharp()
    {
        using var temp = new TempDir();
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(data, Math.PI);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -1e-310);
        var path = temp.Write("w.safetensors", Build("{\"w\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,16]}}", data));

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([Math.PI, -1e-310], file.ReadAsDouble("w"));
    }

    private static byte[] Build(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)h.Length);
        h.CopyTo(result, 8);
        data.CopyTo(result, 8 + h.Length);
        return result;
    }
}

public sealed class CheckpointFileTests
{
    [Theory]
    [InlineData("stored.npz")]
    [InlineData("compressed.npz")]
    public void ReadsNpzCheckpoints(string file)
    {
        using var checkpoint = CheckpointFile.Open(PathOf(file));

        Assert.Contains("fc2.weight", checkpoint.Names);
        Assert.True(checkpoint.Contains("fc2.weight"));
        Assert.Equal([2L, 3L], checkpoint.GetShape("fc2.weight"));
        Assert.Equal(ArrayElementType.Float32, checkpoint.GetElementType("fc2.weight"));
        Assert.Equal([0.25, -0.5, 1.0, 2.0, -4.0, 8.0], checkpoint.ReadAsDouble("fc2.weight"));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), checkpoint.ReadAsDouble("fortran"));
    }

    [Fact]
    public void ReadsSafeTensorsCheckpoints()
    {
        using var checkpoint = CheckpointFile.Open(PathOf("weights.safetensors"));

        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "step", "mask"], checkpoint.Names);
        Assert.Equal([2L, 2L], checkpoint.GetShape("fc2.weight"));
        Assert.Equal([0.5, -1.25, 65504.0, 6.103515625e-05], checkpoint.ReadAsDouble("fc2.weight"));
        Assert.False(checkpoint.Contains("fc3.weight"));
    }

    [Fact]
    public void UnknownExtensionNamesTheSupportedOnes()
    {
        var e = Assert.Throws<DataFormatException>(() => CheckpointFile.Open("model.pt"));

        Assert.Contains("model.pt", e.Message, StringComparison.Ordinal);
        Assert.Contains(".npz or .safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingNameInNpzListsTheKeys()
    {
        using var checkpoint = CheckpointFile.Open(PathOf("stored.npz"));

        var e = Assert.Throws<DataFormatException>(() => checkpoint.ReadAsDouble("fc3.weight"));
        Assert.Contains("'fc2.weight'", e.Message, StringComparison.Ordinal);
    }
}
