namespace MLOpsGate.Core.Data;

/// <summary>
/// Trained weights keyed by name, from an <c>.npz</c> archive or a <c>.safetensors</c> file (chosen by extension).
/// Tensors are read whole: checkpoints of the layers being checked are small.
/// </summary>
public sealed class CheckpointFile : IDisposable
{
    /// <summary>The extensions <see cref="Open"/> accepts.</summary>
    public static readonly IReadOnlyList<string> SupportedExtensions = [".npz", ".safetensors"];

    private readonly NpzArchive? _npz;
    private readonly SafeTensorsFile? _safeTensors;

    private CheckpointFile(NpzArchive npz)
    {
        _npz = npz;
        DisplayName = npz.DisplayName;
        Names = npz.Keys;
    }

    private CheckpointFile(SafeTensorsFile safeTensors)
    {
        _safeTensors = safeTensors;
        DisplayName = safeTensors.DisplayName;
        Names = safeTensors.Names;
    }

    public string DisplayName { get; }

    /// <summary>The tensor names (for .npz: the keys, which may contain '/' or '.').</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens <paramref name="path"/> by its extension (.npz or .safetensors, case-insensitive).</summary>
    /// <exception cref="DataFormatException">The extension is not supported, or the file cannot be opened or is invalid.</exception>
    public static CheckpointFile Open(string path, string? displayName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = displayName ?? path;
        return DataFiles.Extension(path) switch
        {
            ".npz" => new CheckpointFile(NpzArchive.Open(path, name)),
            ".safetensors" => new CheckpointFile(SafeTensorsFile.Open(path, name)),
            var ext => throw new DataFormatException(
                $"{name}: checkpoint files must be .npz or .safetensors, not '{ext}'. Save the weights with np.savez or safetensors' save_file."),
        };
    }

    public bool Contains(string name) => _npz?.ContainsKey(name) ?? _safeTensors!.Contains(name);

    /// <exception cref="DataFormatException">The name is missing (the message lists the names) or the tensor is unreadable.</exception>
    public IReadOnlyList<long> GetShape(string name)
    {
        if (_safeTensors is not null)
        {
            return _safeTensors.GetShape(name);
        }

        using var reader = _npz!.OpenNpy(name);
        return reader.Shape;
    }

    /// <summary>The tensor's element type.</summary>
    /// <exception cref="DataFormatException">The name is missing or the dtype is not supported.</exception>
    public ArrayElementType GetElementType(string name)
    {
        if (_safeTensors is not null)
        {
            return _safeTensors.GetElementType(name);
        }

        using var reader = _npz!.OpenNpy(name);
        return reader.ElementType;
    }

    /// <summary>Reads the whole tensor, converted to double, in C order.</summary>
    /// <exception cref="DataFormatException">The name is missing, the dtype is not supported, or the data cannot be read.</exception>
    public double[] ReadAsDouble(string name)
    {
        if (_safeTensors is not null)
        {
            return _safeTensors.ReadAsDouble(name);
        }

        using var reader = _npz!.OpenNpy(name);
        return reader.ReadAllAsDouble();
    }

    public void Dispose()
    {
        _npz?.Dispose();
        _safeTensors?.Dispose();
    }
}
