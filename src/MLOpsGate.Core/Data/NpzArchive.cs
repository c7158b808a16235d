using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;

namespace MLOpsGate.Core.Data;

/// <summary>
/// A numpy <c>.npz</c> archive (as written by <c>np.savez</c> or <c>np.savez_compressed</c>): a zip of .npy entries, stored or deflated.
/// </summary>
/// <remarks>
/// The readers returned by <see cref="OpenArray"/> stream from the archive, so the archive must stay open while they are used;
/// several readers may be open at once and read in turns (not from several threads). Zip entries cannot seek, so a
/// Fortran-order entry is read again from its start for every block of rows (see <see cref="NpyReader"/>).
/// </remarks>
public sealed class NpzArchive : IDisposable
{
    private const string NpySuffix = ".npy";

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly int _bufferSize;
    private bool _disposed;

    /// <summary>Reads the archive's directory from <paramref name="stream"/> (which must be seekable).</summary>
    /// <param name="leaveOpen">When false (the default) disposing the archive disposes the stream.</param>
    /// <exception cref="DataFormatException">The stream is not a zip archive.</exception>
    public NpzArchive(Stream stream, string displayName, bool leaveOpen = false)
        : this(stream, displayName, leaveOpen, DataFiles.DefaultBufferSize)
    {
    }

    internal NpzArchive(Stream stream, string displayName, bool leaveOpen, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        DisplayName = displayName;
        _bufferSize = bufferSize;
        try
        {
            _zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw new DataFormatException(
                $"{displayName}: not a valid .npz (zip) archive ({e.Message}). Save arrays with np.savez or np.savez_compressed.", e);
        }

        _entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var keys = new List<string>();
        foreach (var entry in _zip.Entries)
        {
            if (!entry.FullName.EndsWith(NpySuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = entry.FullName[..^NpySuffix.Length];
            if (_entries.TryAdd(key, entry))
            {
                keys.Add(key);
            }
        }

        Keys = keys;
    }

    public string DisplayName { get; }

    /// <summary>The array names: the archive's .npy entry names without the suffix, in archive order (they may contain '/').</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Opens an .npz file; <paramref name="displayName"/> (default: the path) is what messages call it.</summary>
    /// <exception cref="DataFormatException">The file cannot be opened or is not a zip archive.</exception>
    public static NpzArchive Open(string path, string? displayName = null) => Open(path, displayName, DataFiles.DefaultBufferSize);

    internal static NpzArchive Open(string path, string? displayName, int bufferSize)
    {
        var name = displayName ?? path;
        var stream = DataFiles.OpenRead(path, name);
        return new NpzArchive(stream, name, leaveOpen: false, bufferSize);
    }

    public bool ContainsKey(string key) => TryResolve(key, out _, out _);

    /// <summary>Opens the array stored under <paramref name="key"/> (a trailing ".npy" is accepted too).</summary>
    /// <exception cref="DataFormatException">The key is missing (the message lists the available keys) or the entry is not a supported NPY array.</exception>
    public IArrayReader OpenArray(string key) => OpenNpy(key);

    internal NpyReader OpenNpy(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!TryResolve(key, out var resolved, out var entry))
        {
            throw new DataFormatException(
                $"{DisplayName}: has no array '{key}'; the available keys are {DataFiles.ListNames(Keys)}. "
                + "Save the array under that name (np.savez(path, **{name: arr})).");
        }

        var name = $"{DisplayName}['{resolved}']";
        var stream = OpenEntry(entry, name);
        return NpyReader.Create(stream, name, ownsStream: true, entry.Length, () => OpenEntry(entry, name), _bufferSize);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _zip.Dispose();
        }
    }

    private bool TryResolve(string key, out string resolved, [NotNullWhen(true)] out ZipArchiveEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        resolved = key;
        if (_entries.TryGetValue(key, out entry))
        {
            return true;
        }

        resolved = key.EndsWith(NpySuffix, StringComparison.Ordinal) ? key[..^NpySuffix.Length] : key;
        return _entries.TryGetValue(resolved, out entry);
    }

    private static Stream OpenEntry(ZipArchiveEntry entry, string name)
    {
        try
        {
            return entry.Open();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new DataFormatException($"{name}: the archive entry cannot be read ({e.Message}). Save arrays with np.savez or np.savez_compressed.", e);
        }
    }
}
