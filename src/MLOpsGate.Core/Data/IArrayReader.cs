namespace MLOpsGate.Core.Data;

/// <summary>Element types the gate reads from array files.</summary>
public enum ArrayElementType
{
    Float16,
    BFloat16,
    Float32,
    Float64,
    Int32,
    Int64,
    Bool,
}

/// <summary>
/// A forward-only reader over the rows (first axis) of an n-dimensional array stored in a file.
/// Rows are streamed in chunks, so memory does not grow with the number of rows.
/// </summary>
public interface IArrayReader : IDisposable
{
    /// <summary>What to call the array in messages: the file, and the key inside an archive.</summary>
    string DisplayName { get; }

    ArrayElementType ElementType { get; }

    /// <summary>The full shape; Shape[0] is the number of rows (a 0-d array is one row of one element).</summary>
    IReadOnlyList<long> Shape { get; }

    long RowCount { get; }

    /// <summary>Elements per row: the product of Shape[1..].</summary>
    int RowLength { get; }

    /// <summary>Reads up to <paramref name="maxRows"/> rows converted to float; returns the rows read (0 at the end).</summary>
    int ReadRows(Span<float> destination, int maxRows);

    /// <summary>Reads up to <paramref name="maxRows"/> rows converted to double; returns the rows read.</summary>
    int ReadRows(Span<double> destination, int maxRows);

    /// <summary>Reads up to <paramref name="maxRows"/> integer or bool rows widened to long; float data is a <see cref="DataFormatException"/>.</summary>
    int ReadRows(Span<long> destination, int maxRows);

    /// <summary>Reads up to <paramref name="maxRows"/> bool rows; any other element type is a <see cref="DataFormatException"/>.</summary>
    int ReadRows(Span<bool> destination, int maxRows);
}

/// <summary>One of <see cref="IArrayReader"/>'s typed ReadRows overloads, for code that reads any element type alike.</summary>
public delegate int ReadRowsInto<T>(Span<T> destination, int maxRows);

/// <summary>A data file that cannot be read as promised; the message names the file and what to do.</summary>
public sealed class DataFormatException(string message, Exception? inner = null) : Exception(message, inner);
