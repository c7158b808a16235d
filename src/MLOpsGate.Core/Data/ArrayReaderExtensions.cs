namespace MLOpsGate.Core.Data;

/// <summary>Whole-array reads, for arrays known to be small (checkpoint tensors, reference statistics).</summary>
public static class ArrayReaderExtensions
{
    /// <summary>Reads all rows of a freshly opened reader, converted to double, in C order.</summary>
    /// <exception cref="DataFormatException">The array is too large for one .NET array, or the data is unreadable.</exception>
    public static double[] ReadAllAsDouble(this IArrayReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var total = (decimal)reader.RowCount * reader.RowLength;
        if (total > Array.MaxLength)
        {
            throw new DataFormatException(
                $"{reader.DisplayName}: {total} elements are too many to load at once (at most {Array.MaxLength}).");
        }

        var result = new double[(long)total];
        if (reader.RowLength == 0)
        {
            return result;
        }

        var rowsPerRead = Math.Max(1, DataFiles.DefaultBufferSize / reader.RowLength);
        var offset = 0;
        int rows;
        while ((rows = reader.ReadRows(result.AsSpan(offset), rowsPerRead)) > 0)
        {
            offset += rows * reader.RowLength;
        }

        return result;
    }
}
