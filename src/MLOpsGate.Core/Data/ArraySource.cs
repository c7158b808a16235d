namespace MLOpsGate.Core.Data;

/// <summary>
/// Named arrays from one file, chosen by extension: <c>.npy</c> (a single array, key null), <c>.npz</c> (keyed by entry name)
/// or <c>.json</c> (keyed: <c>{"&lt;name&gt;": nested arrays}</c>).
/// </summary>
/// <remarks>
/// Opening validates what can be validated cheaply: the .npy header, the .npz directory, the whole .json file.
/// Readers from an .npz source stream from the archive: dispose them before the source.
/// </remarks>
public sealed class ArraySource : IDisposable
{
    /// <summary>The extensions <see cref="Open(string, string?)"/> accepts.</summary>
    public static readonly IReadOnlyList<string> SupportedExtensions = [".npy", ".npz", ".json"];

    private readonly string? _npyPath;
    private readonly NpzArchive? _npz;
    private readonly JsonArrayFile? _json;

    private ArraySource(string displayName, string? npyPath, NpzArchive? npz, JsonArrayFile? json)
    {
        DisplayName = displayName;
        _npyPath = npyPath;
        _npz = npz;
        _json = json;
        Keys = npz?.Keys ?? json?.Keys ?? [];
    }

    public string DisplayName { get; }

    /// <summary>The array names; empty for a single-array (.npy) source.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>True for a .npy file: one array, opened with a null key.</summary>
    public bool IsSingleArray => _npyPath is not null;

    /// <summary>Opens <paramref name="path"/> by its extension (.npy, .npz or .json, case-insensitive).</summary>
    /// <exception cref="DataFormatException">The extension is not supported, or the file cannot be opened or is invalid.</exception>
    public static ArraySource Open(string path, string? displayName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = displayName ?? path;
        switch (DataFiles.Extension(path))
        {
            case ".npy":
                using (NpyReader.Open(path, name))
                {
                    // Validates the header (dtype, shape, length) up front.
                }

                return new ArraySource(name, path, null, null);
            case ".npz":
                return new ArraySource(name, null, NpzArchive.Open(path, name), null);
            case ".json":
                return new ArraySource(name, null, null, JsonArrayFile.Load(path, name));
            case var ext:
                throw new DataFormatException(
                    $"{name}: array files must be .npy (one array), .npz (named arrays) or .json ({{\"<name>\": nested arrays}}), "
                    + $"not '{ext}'. Save arrays with np.save or np.savez.");
        }
    }

    public bool ContainsKey(string key) => _npz?.ContainsKey(key) ?? _json?.ContainsKey(key) ?? false;

    /// <summary>
    /// Opens one array: <paramref name="key"/> must be null for a .npy source and one of <see cref="Keys"/> otherwise.
    /// Each call returns a new reader positioned at the first row.
    /// </summary>
    /// <exception cref="DataFormatException">The key does not fit the source (the message lists the keys) or the array is unreadable.</exception>
    public IArrayReader Open(string? key)
    {
        if (_npyPath is not null)
        {
            if (key is not null)
            {
                throw new DataFormatException(
                    $"{DisplayName}: is a single .npy array, so it has no array '{key}'. Save named arrays in an .npz (np.savez(path, **arrays)).");
            }

            return NpyReader.Open(_npyPath, DisplayName);
        }

        if (key is null)
        {
            throw new DataFormatException(
                $"{DisplayName}: holds named arrays ({DataFiles.ListNames(Keys)}); say which one is meant.");
        }

        return _npz?.OpenArray(key) ?? _json!.Open(key);
    }

    public void Dispose() => _npz?.Dispose();
}
