using System.IO.Compression;

namespace MLOpsGate.Benchmarks;

/// <summary>
/// A temporary workspace holding a fixture model with its calibration inputs, reference outputs and
/// reference activations tiled to a given number of rows, so the gate's cost can be measured as the
/// sample count grows.
/// </summary>
public sealed class CalibrationWorkspace : IDisposable
{
    public const string Model = "digits-standard-naive";

    public CalibrationWorkspace(string repositoryRoot, int rows)
    {
        Root = Path.Combine(Path.GetTempPath(), $"mlopsgate-bench-{rows}-{Guid.NewGuid():N}");
        ManifestPath = Write(repositoryRoot, rows, Root);
    }

    public string Root { get; }

    public string ManifestPath { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Writes the workspace into <paramref name="root"/> and returns its manifest path.</summary>
    public static string Write(string repositoryRoot, int rows, string root)
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var fixtures = Path.Combine(repositoryRoot, "fixtures");
        File.Copy(Path.Combine(fixtures, "models", Model + ".onnx"), Path.Combine(root, "model.onnx"));
        var data = Path.Combine(fixtures, "data", Model);
        Tile(Path.Combine(data, "inputs.npy"), Path.Combine(root, "data", "inputs.npy"), rows);
        Tile(Path.Combine(data, "outputs.npy"), Path.Combine(root, "data", "outputs.npy"), rows);
        using (var archive = ZipFile.OpenRead(Path.Combine(data, "activations.npz")))
        using (var output = ZipFile.Open(Path.Combine(root, "data", "activations.npz"), ZipArchiveMode.Create))
        {
            foreach (var entry in archive.Entries)
            {
                var source = Path.Combine(root, "entry.npy");
                entry.ExtractToFile(source, overwrite: true);
                var tiled = Path.Combine(root, "entry-tiled.npy");
                Tile(source, tiled, rows);
                output.CreateEntryFromFile(tiled, entry.FullName, CompressionLevel.NoCompression);
            }
        }

        var manifestPath = Path.Combine(root, "mlopsgate.yml");
        File.WriteAllText(manifestPath, $"""
            version: 1
            models:
              - name: {Model}
                artifact: model.onnx
                framework: pytorch
                dropout:
                  convention: standard
                  sites:
                    - input_of: fc2.weight
                      rate: 0.5
                calibration:
                  inputs: data/inputs.npy
                expect:
                  outputs: data/outputs.npy
                  activations: data/activations.npz
            """);
        return manifestPath;
    }

    /// <summary>Writes an NPY v1 file whose rows repeat the source's rows up to <paramref name="rows"/>.</summary>
    private static void Tile(string source, string target, int rows)
    {
        var bytes = File.ReadAllBytes(source);
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        int open = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        int close = header.IndexOf(')', open);
        var dims = header[open..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var data = bytes.AsSpan(10 + headerLength);
        int rowBytes = data.Length / (int)dims[0];
        dims[0] = rows;
        var shape = dims.Length == 1 ? $"{dims[0]}," : string.Join(", ", dims);
        var newHeader = header[..open] + shape + header[close..].TrimEnd();
        int total = 10 + newHeader.Length + 1;
        newHeader = newHeader.PadRight(newHeader.Length + ((64 - (total % 64)) % 64)) + "\n";
        using var output = File.Create(target);
        output.Write(bytes.AsSpan(0, 8));
        output.Write(BitConverter.GetBytes((ushort)newHeader.Length));
        output.Write(System.Text.Encoding.ASCII.GetBytes(newHeader));
        int sourceRows = data.Length / rowBytes;
        for (int r = 0; r < rows; r++)
        {
            output.Write(data.Slice(r % sourceRows * rowBytes, rowBytes));
        }
    }
}
