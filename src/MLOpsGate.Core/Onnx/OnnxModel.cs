using System.Buffers.Binary;
using Google.Protobuf;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx.Proto;

namespace MLOpsGate.Core.Onnx;

/// <summary>A model that cannot be loaded; the message names the file and what to do.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An ONNX model read with the IR subset in onnx-subset.proto, with external data loaded into memory
/// (so in-memory rewrites can be handed to ONNX Runtime as bytes), and indexes over its graph.
/// </summary>
public sealed class OnnxModel
{
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);

    private OnnxModel(ModelProto proto, string path, IReadOnlyList<string> externalFiles, IReadOnlySet<string> externalInitializers)
    {
        Proto = proto;
        Path = path;
        ExternalDataFiles = externalFiles;
        ExternalInitializers = externalInitializers;
        var graph = proto.Graph;
        foreach (var init in graph.Initializer)
        {
            initializers[init.Name] = init;
        }

        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producers[output] = node;
            }

            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        GraphInputs = graph.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        GraphOutputNames = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    public ModelProto Proto { get; }

    public string Path { get; }

    /// <summary>External-data files the model references, as absolute paths.</summary>
    public IReadOnlyList<string> ExternalDataFiles { get; }

    /// <summary>Initializers that were stored as external data (loaded into memory; written back externally).</summary>
    public IReadOnlySet<string> ExternalInitializers { get; }

    public GraphProto Graph => Proto.Graph;

    public string ProducerName => Proto.ProducerName;

    public string ProducerVersion => Proto.ProducerVersion;

    /// <summary>The opset of the default (ai.onnx) domain.</summary>
    public long Opset => Proto.OpsetImport
        .Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx")
        .Select(o => o.Version)
        .DefaultIfEmpty(1)
        .Max();

    /// <summary>Graph inputs that are fed at run time (initializers excluded).</summary>
    public IReadOnlyList<ValueInfoProto> GraphInputs { get; }

    public IReadOnlySet<string> GraphOutputNames { get; }

    public IReadOnlyDictionary<string, TensorProto> Initializers => initializers;

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor) =>
        consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>Every tensor name in the graph: inputs, initializers and node outputs.</summary>
    public IEnumerable<string> AllTensorNames() =>
        Graph.Input.Select(i => i.Name).Concat(initializers.Keys).Concat(producers.Keys).Distinct(StringComparer.Ordinal);

    /// <summary>The constant value of a tensor (an initializer or a Constant node's output), or null.</summary>
    public double[]? TryGetConstant(string tensor)
    {
        if (initializers.TryGetValue(tensor, out var init))
        {
            return TensorValues.ToDoubles(init);
        }

        var producer = Producer(tensor);
        if (producer is { OpType: "Constant" })
        {
            var value = producer.Attribute.FirstOrDefault(a => a.Name == "value");
            if (value?.T is not null)
            {
                return TensorValues.ToDoubles(value.T);
            }

            var scalar = producer.Attribute.FirstOrDefault(a => a.Name is "value_float" or "value_int");
            if (scalar is not null)
            {
                return [scalar.Name == "value_float" ? scalar.F : scalar.I];
            }
        }

        return null;
    }

    /// <summary>The single scalar value of a constant tensor, or null when it is not a constant scalar.</summary>
    public double? TryGetScalarConstant(string tensor) =>
        TryGetConstant(tensor) is [var only] ? only : null;

    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>The same model with its graph indexes rebuilt after in-place edits of <see cref="Proto"/>.</summary>
    public OnnxModel Reindexed() => new(Proto, Path, ExternalDataFiles, ExternalInitializers);

    public OnnxModel Clone() => new(Proto.Clone(), Path, ExternalDataFiles, ExternalInitializers);

    /// <summary>
    /// Writes the model. Initializers that were external stay external, in one data file next to the
    /// output (`OUTPUT.data`); the in-memory model keeps its data.
    /// </summary>
    public void Save(string outputPath)
    {
        var proto = Proto.Clone();
        if (ExternalInitializers.Count > 0)
        {
            var dataName = System.IO.Path.GetFileName(outputPath) + ".data";
            using var data = File.Create(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(outputPath))!, dataName));
            foreach (var tensor in proto.Graph.Initializer.Where(t => ExternalInitializers.Contains(t.Name)))
            {
                long offset = data.Position;
                tensor.RawData.WriteTo(data);
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataName });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.RawData = ByteString.Empty;
            }
        }

        using var stream = File.Create(outputPath);
        proto.WriteTo(stream);
    }

    /// <summary>Reads and indexes a model. External data must lie inside <paramref name="workspaceRoot"/>.</summary>
    public static OnnxModel Load(string path, string workspaceRoot)
    {
        ModelProto proto;
        try
        {
            using var stream = File.OpenRead(path);
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelLoadException($"'{path}' is not a valid ONNX model ({ex.Message}); re-export it or point `artifact` at the .onnx file.", ex);
        }
        catch (IOException ex)
        {
            throw new ModelLoadException($"cannot read '{path}': {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelLoadException($"cannot read '{path}': {ex.Message}", ex);
        }

        if (proto.Graph is null || proto.IrVersion <= 0 || proto.OpsetImport.Count == 0 || proto.Graph.Node.Count == 0)
        {
            throw new ModelLoadException($"'{path}' is not a valid ONNX model (no graph, IR version or opset); re-export it or point `artifact` at the .onnx file.");
        }

        var external = proto.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var externalFiles = LoadExternalData(proto.Graph, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, workspaceRoot);
        return new OnnxModel(proto, path, externalFiles, external);
    }

    private static List<string> LoadExternalData(GraphProto graph, string modelDirectory, string workspaceRoot)
    {
        var files = new List<string>();
        foreach (var tensor in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!entries.TryGetValue("location", out var location) || location.Length == 0)
            {
                throw new ModelLoadException($"initializer '{tensor.Name}' is stored externally but names no location; re-save the model with onnx.save_model(..., save_as_external_data=True).");
            }

            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(modelDirectory, location));
            if (!WorkspacePaths.IsInside(full, workspaceRoot))
            {
                throw new ModelLoadException($"initializer '{tensor.Name}' reads external data from '{location}', outside the workspace; keep external-data files next to the model.");
            }

            if (!File.Exists(full))
            {
                throw new ModelLoadException($"initializer '{tensor.Name}' needs external-data file '{location}', which does not exist next to the model; copy it there.");
            }

            long offset = entries.TryGetValue("offset", out var o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
            using var stream = File.OpenRead(full);
            long length = entries.TryGetValue("length", out var l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
            if (offset < 0 || length < 0 || offset + length > stream.Length)
            {
                throw new ModelLoadException($"initializer '{tensor.Name}' reads bytes {offset}..{offset + length} of '{location}', which has {stream.Length}; the external-data file is truncated or stale.");
            }

            var bytes = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            tensor.RawData = ByteString.CopyFrom(bytes);
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            tensor.ExternalData.Clear();
            if (!files.Contains(full))
            {
                files.Add(full);
            }
        }

        return files;
    }
}

/// <summary>Reads the values of ONNX tensors.</summary>
public static class TensorValues
{
    public static double[] ToDoubles(TensorProto t)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        if (!t.RawData.IsEmpty)
        {
            var raw = t.RawData.Span;
            return type switch
            {
                TensorProto.Types.DataType.Float => Convert(raw, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b)),
                TensorProto.Types.DataType.Double => Convert(raw, 8, b => BinaryPrimitives.ReadDoubleLittleEndian(b)),
                TensorProto.Types.DataType.Float16 => Convert(raw, 2, b => (double)BinaryPrimitives.ReadHalfLittleEndian(b)),
                TensorProto.Types.DataType.Int64 => Convert(raw, 8, b => BinaryPrimitives.ReadInt64LittleEndian(b)),
                TensorProto.Types.DataType.Int32 => Convert(raw, 4, b => BinaryPrimitives.ReadInt32LittleEndian(b)),
                TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 => Convert(raw, 1, b => b[0]),
                TensorProto.Types.DataType.Int8 => Convert(raw, 1, b => (sbyte)b[0]),
                _ => throw new ModelLoadException($"tensor '{t.Name}' has data type {type}, which the gate does not read."),
            };
        }

        return type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Double => t.DoubleData.ToArray(),
            TensorProto.Types.DataType.Int64 => t.Int64Data.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Float16 => t.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
            _ => t.Int32Data.Select(v => (double)v).ToArray(),
        };
    }

    public static long[] Dims(TensorProto t) => t.Dims.ToArray();

    /// <summary>Replaces a float/double tensor's values, keeping its type and shape (as raw data).</summary>
    public static void SetValues(TensorProto t, ReadOnlySpan<double> values)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        int size = type switch
        {
            TensorProto.Types.DataType.Float => 4,
            TensorProto.Types.DataType.Double => 8,
            TensorProto.Types.DataType.Float16 => 2,
            _ => throw new ModelLoadException($"tensor '{t.Name}' has data type {type}; only float tensors can be rescaled."),
        };
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var dest = bytes.AsSpan(i * size, size);
            switch (size)
            {
                case 4: BinaryPrimitives.WriteSingleLittleEndian(dest, (float)values[i]); break;
                case 8: BinaryPrimitives.WriteDoubleLittleEndian(dest, values[i]); break;
                default: BinaryPrimitives.WriteHalfLittleEndian(dest, (Half)values[i]); break;
            }
        }

        t.FloatData.Clear();
        t.DoubleData.Clear();
        t.Int32Data.Clear();
        t.RawData = ByteString.CopyFrom(bytes);
    }

    private delegate double ElementReader(ReadOnlySpan<byte> bytes);

    private static double[] Convert(ReadOnlySpan<byte> raw, int size, ElementReader read)
    {
        var result = new double[raw.Length / size];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = read(raw.Slice(i * size, size));
        }

        return result;
    }
}
