using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLOpsGate.Core.Runtime;

/// <summary>A tensor copied out of ONNX Runtime as doubles, with its shape.</summary>
public sealed record TensorData(double[] Values, long[] Shape);

/// <summary>An ONNX Runtime session over an in-memory model, reused for every batch of a check.</summary>
public sealed class OrtModelSession : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    public OrtModelSession(byte[] model, GraphOptimizationLevel level, string? optimizedModelPath = null)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = level,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        if (optimizedModelPath is not null)
        {
            options.OptimizedModelFilePath = optimizedModelPath;
        }

        session = new InferenceSession(model, options);
    }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => session.InputMetadata;

    public IReadOnlyList<string> OutputNames => session.OutputNames;

    /// <summary>Runs one batch and copies the requested outputs out as doubles.</summary>
    public IReadOnlyList<TensorData> Run(IReadOnlyDictionary<string, OrtValue> feeds, IReadOnlyList<string> outputNames)
    {
        var names = feeds.Keys.ToArray();
        var values = names.Select(n => feeds[n]).ToArray();
        using var outputs = session.Run(runOptions, names, values, outputNames.ToArray());
        return outputs.Select(Copy).ToList();
    }

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }

    private static TensorData Copy(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        double[] data = info.ElementDataType switch
        {
            TensorElementType.Float => ToDoubles(value.GetTensorDataAsSpan<float>()),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => ToDoubles(value.GetTensorDataAsSpan<Float16>()),
            TensorElementType.Int64 => ToDoubles(value.GetTensorDataAsSpan<long>()),
            TensorElementType.Int32 => ToDoubles(value.GetTensorDataAsSpan<int>()),
            TensorElementType.Bool => ToDoubles(value.GetTensorDataAsSpan<bool>()),
            var other => throw new NotSupportedException($"output element type {other} is not compared by the gate"),
        };
        return new TensorData(data, info.Shape);
    }

    private static double[] ToDoubles<T>(ReadOnlySpan<T> span)
        where T : System.Numerics.INumberBase<T>
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = double.CreateChecked(span[i]);
        }

        return result;
    }

    private static double[] ToDoubles(ReadOnlySpan<Float16> span)
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = (float)span[i];
        }

        return result;
    }

    private static double[] ToDoubles(ReadOnlySpan<bool> span)
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = span[i] ? 1 : 0;
        }

        return result;
    }
}
