using System.Globalization;
using System.Text;

namespace MLOpsGate.Core.Data;

/// <summary>Shared helpers: opening files with readable errors, shape arithmetic and message formatting.</summary>
internal static class DataFiles
{
    /// <summary>The bounded read buffer of the streaming readers.</summary>
    public const int DefaultBufferSize = 64 * 1024;

    /// <summary>How many names an error message lists before it says "and N more".</summary>
    private const int MaxListedNames = 20;

    public static FileStream OpenRead(string path, string displayName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new DataFormatException($"{displayName}: cannot open the file: {e.Message}", e);
        }
    }

    /// <summary>Wraps low-level read failures (I/O errors, corrupt compressed data) into a <see cref="DataFormatException"/>.</summary>
    public static DataFormatException ReadFailed(string displayName, Exception e) =>
        new($"{displayName}: reading failed: {e.Message}", e);

    public static bool IsReadFailure(Exception e) => e is IOException or InvalidDataException or UnauthorizedAccessException;

    public static string FormatShape(IReadOnlyList<long> shape)
    {
        if (shape.Count == 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)");
        }

        return "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
    }

    /// <summary>The number of elements of <paramref name="shape"/>, or null when it overflows.</summary>
    public static long? ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                return null;
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        return count;
    }

    /// <summary>"'a', 'b', 'c'" (at most 20, then "and N more"), or "none" for an empty list.</summary>
    public static string ListNames(IEnumerable<string> names)
    {
        var all = names.ToList();
        if (all.Count == 0)
        {
            return "none";
        }

        var sb = new StringBuilder();
        for (var i = 0; i < Math.Min(all.Count, MaxListedNames); i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append('\'').Append(all[i]).Append('\'');
        }

        if (all.Count > MaxListedNames)
        {
            sb.Append(CultureInfo.InvariantCulture, $" and {all.Count - MaxListedNames} more");
        }

        return sb.ToString();
    }

    public static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();
}
