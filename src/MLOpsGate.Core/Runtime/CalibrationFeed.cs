using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLOpsGate.Core.Data;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Core.Runtime;

/// <summary>Data that does not fit the model or cannot be read (MLG002), located at the manifest key naming the file.</summary>
public sealed class GateInputException(string message, SourceLocation location) : Exception(message)
{
    public SourceLocation Location { get; } = location;
}

/// <summary>One batch of model inputs as ONNX Runtime values over managed arrays of their own.</summary>
public sealed class FeedBatch(int rows, Dictionary<string, OrtValue> feeds) : IDisposable
{
    public int Rows { get; } = rows;

    public IReadOnlyDictionary<string, OrtValue> Feeds => feeds;

    public void Dispose()
    {
        foreach (var value in feeds.Values)
        {
            value.Dispose();
        }
    }
}

/// <summary>
/// Streams calibration inputs in batches shaped and typed for the model: float64 is converted to
/// float32 (with a note), integers are widened, a fixed batch dimension sets the batch size.
/// </summary>
public sealed class CalibrationFeed
{
    private readonly CalibrationSpec spec;
    private readonly List<InputBinding> bindings;

    private CalibrationFeed(CalibrationSpec spec, List<InputBinding> bindings, long totalRows, long rows, int batchSize, bool fixedBatch)
    {
        this.spec = spec;
        this.bindings = bindings;
        TotalRows = totalRows;
        Rows = rows;
        BatchSize = batchSize;
        FixedBatch = fixedBatch;
    }

    /// <summary>Rows in the calibration file (before `limit`): every reference must have as many.</summary>
    public long TotalRows { get; }

    /// <summary>Rows that are run (after `limit`, whole batches for a fixed batch dimension).</summary>
    public long Rows { get; }

    public int BatchSize { get; }

    public bool FixedBatch { get; }

    public static CalibrationFeed Create(
        CalibrationSpec spec,
        IReadOnlyDictionary<string, NodeMetadata> modelInputs,
        List<ReportNote> notes)
    {
        var location = spec.Inputs.Location;
        var file = spec.Inputs.Value;
        using var source = ManifestData.Open(spec.Inputs);
        var bindings = new List<InputBinding>();
        long? totalRows = null;
        int? fixedBatch = null;
        foreach (var (name, meta) in modelInputs)
        {
            string? key;
            if (source.IsSingleArray)
            {
                if (modelInputs.Count != 1)
                {
                    throw new GateInputException(
                        $"'{file}' holds one array but the model has {modelInputs.Count} inputs ({string.Join(", ", modelInputs.Keys)}); save them with np.savez keyed by input name.", location);
                }

                key = null;
            }
            else if (source.Keys.Contains(name))
            {
                key = name;
            }
            else
            {
                throw new GateInputException(
                    $"'{file}' has no array for model input '{name}' (it has: {string.Join(", ", source.Keys)}); key each array by the graph input's name.", location);
            }

            using var reader = ManifestData.OpenArray(spec.Inputs, source, key);
            var dims = meta.Dimensions;
            var rowShape = reader.Shape.Skip(1).ToArray();
            var expectedRow = dims.Skip(1).Select(d => (long)d).ToArray();
            bool shapeFits = rowShape.Length == expectedRow.Length &&
                rowShape.Zip(expectedRow).All(p => p.Second <= 0 || p.First == p.Second);
            if (!shapeFits)
            {
                throw new GateInputException(
                    $"'{reader.DisplayName}' rows have shape [{string.Join(", ", rowShape)}] but model input '{name}' expects [{string.Join(", ", expectedRow.Select(d => d <= 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] per sample; reshape the data (one row per sample).", location);
            }

            if (totalRows is not null && totalRows != reader.RowCount)
            {
                throw new GateInputException($"the calibration arrays have different row counts ({totalRows} and {reader.RowCount} for '{name}'); row i of every array must be sample i.", location);
            }

            totalRows = reader.RowCount;
            if (dims.Length > 0 && dims[0] > 0)
            {
                fixedBatch = dims[0];
            }

            var elementType = CheckElementType(meta.ElementDataType, reader, name, location);
            if (reader.ElementType == ArrayElementType.Float64 && elementType == TensorElementType.Float)
            {
                notes.Add(new ReportNote($"calibration input '{name}' converted from float64 to float32"));
            }
            else if (reader.ElementType is ArrayElementType.Int32 or ArrayElementType.Int64 or ArrayElementType.Bool
                && elementType is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16)
            {
                notes.Add(new ReportNote($"calibration input '{name}' converted from {reader.ElementType.ToString().ToLowerInvariant()} to {elementType.ToString().ToLowerInvariant()}"));
            }

            bindings.Add(new InputBinding(name, key, elementType, rowShape, reader.RowLength));
        }

        long total = totalRows ?? 0;
        long rows = spec.Limit is { } limit ? Math.Min(limit, total) : total;
        int batch = fixedBatch ?? spec.BatchSize;
        if (fixedBatch is not null)
        {
            notes.Add(new ReportNote($"the model's batch dimension is fixed at {fixedBatch}; calibration runs in batches of {fixedBatch}"));
            if (rows % batch != 0)
            {
                notes.Add(new ReportNote($"the last {rows % batch} calibration rows do not fill a batch of {batch} and are not run"));
                rows -= rows % batch;
            }
        }

        if (rows == 0)
        {
            throw new GateInputException($"'{file}' holds no calibration rows; add at least one sample.", location);
        }

        return new CalibrationFeed(spec, bindings, total, rows, batch, fixedBatch is not null);
    }

    /// <summary>Reads the calibration rows afresh, one batch at a time; the caller disposes each batch.</summary>
    public IEnumerable<FeedBatch> Batches()
    {
        using var source = ManifestData.Open(spec.Inputs);
        var readers = bindings.Select(b => ManifestData.OpenArray(spec.Inputs, source, b.Key)).ToList();
        try
        {
            long done = 0;
            while (done < Rows)
            {
                int rows = (int)Math.Min(BatchSize, Rows - done);
                var feeds = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
                for (int i = 0; i < bindings.Count; i++)
                {
                    feeds[bindings[i].Name] = ManifestData.Wrap(spec.Inputs, () => bindings[i].Read(readers[i], rows, done));
                }

                done += rows;
                yield return new FeedBatch(rows, feeds);
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private static TensorElementType CheckElementType(TensorElementType modelType, IArrayReader reader, string name, SourceLocation location)
    {
        bool dataIsFloat = reader.ElementType is ArrayElementType.Float16 or ArrayElementType.BFloat16 or ArrayElementType.Float32 or ArrayElementType.Float64;
        bool supported = modelType is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16
            or TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Bool;
        bool modelIsFloat = modelType is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16;
        if (!supported)
        {
            throw new GateInputException($"model input '{name}' has element type {modelType}, which the gate cannot feed; use a float, integer or bool input.", location);
        }

        if (dataIsFloat && !modelIsFloat)
        {
            throw new GateInputException($"'{reader.DisplayName}' holds {reader.ElementType} values but model input '{name}' takes {modelType}; a float-to-{modelType} conversion would change the data: save the array as {modelType}.", location);
        }

        if (modelType == TensorElementType.Bool && reader.ElementType != ArrayElementType.Bool)
        {
            throw new GateInputException($"'{reader.DisplayName}' holds {reader.ElementType} values but model input '{name}' takes bool; save the array as bool.", location);
        }

        return modelType;
    }

    private sealed record InputBinding(string Name, string? Key, TensorElementType ElementType, long[] RowShape, int RowLength)
    {

        public OrtValue Read(IArrayReader reader, int rows, long firstRow)
        {
            var shape = new long[RowShape.Length + 1];
            shape[0] = rows;
            RowShape.CopyTo(shape, 1);
            return ElementType switch
            {
                TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(ReadAll<float>(reader, rows, firstRow, reader.ReadRows), shape),
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(ReadAll<double>(reader, rows, firstRow, reader.ReadRows), shape),
                TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(ReadAll<float>(reader, rows, firstRow, reader.ReadRows).Select(v => (Float16)v).ToArray(), shape),
                TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(ReadAll<long>(reader, rows, firstRow, reader.ReadRows), shape),
                TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(ReadAll<long>(reader, rows, firstRow, reader.ReadRows).Select(v => checked((int)v)).ToArray(), shape),
                _ => OrtValue.CreateTensorValueFromMemory(ReadAll<bool>(reader, rows, firstRow, reader.ReadRows), shape),
            };
        }

        private T[] ReadAll<T>(IArrayReader reader, int rows, long firstRow, ReadRowsInto<T> read)
        {
            var data = new T[rows * RowLength];
            Expect(read(data, rows), rows, reader);
            int bad = data switch
            {
                float[] f => Array.FindIndex(f, v => !float.IsFinite(v)),
                double[] d => Array.FindIndex(d, v => !double.IsFinite(v)),
                _ => -1,
            };
            if (bad >= 0)
            {
                throw new DataFormatException($"'{reader.DisplayName}' holds NaN or infinity in row {firstRow + (bad / RowLength)}; calibration inputs must be finite: clean or drop those rows.");
            }

            return data;
        }

        private static void Expect(int read, int wanted, IArrayReader reader)
        {
            if (read != wanted)
            {
                throw new DataFormatException($"'{reader.DisplayName}' ended after fewer rows than its header promised; regenerate the file.");
            }
        }
    }
}

/// <summary>Opens the manifest's data files, turning format errors into MLG002 at the key that names the file.</summary>
public static class ManifestData
{
    public static ArraySource Open(ManifestFile file) => Wrap(file, () => ArraySource.Open(file.FullPath, file.Value));

    public static IArrayReader OpenArray(ManifestFile file, ArraySource source, string? key)
    {
        try
        {
            return source.Open(key);
        }
        catch (DataFormatException ex)
        {
            throw new GateInputException(ex.Message, file.Location);
        }
    }

    public static T Wrap<T>(ManifestFile file, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (DataFormatException ex)
        {
            throw new GateInputException(ex.Message, file.Location);
        }
        catch (IOException ex)
        {
            throw new GateInputException($"cannot read '{file.Value}': {ex.Message}", file.Location);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new GateInputException($"cannot read '{file.Value}': {ex.Message}", file.Location);
        }
    }
}
