using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MLOpsGate.Benchmarks;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;

// `prepare ROWS DIR`: write a workspace with ROWS calibration samples (for peak-memory runs of the CLI).
if (args is ["prepare", var rows, var directory])
{
    Console.WriteLine(CalibrationWorkspace.Write(RepositoryRoot(), int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), Path.Combine(Path.GetFullPath(directory), $"rows-{rows}")));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(GateBenchmarks).Assembly).Run(args);

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "MLOpsGate.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository");
}

/// <summary>The whole gate (sessions, calibration passes, per-unit statistics) over a growing sample count.</summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    private CalibrationWorkspace workspace = null!;
    private GateManifest manifest = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLOpsGate.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        workspace = new CalibrationWorkspace(root, Rows);
        manifest = ManifestLoader.Load(workspace.ManifestPath).Manifest!;
    }

    [GlobalCleanup]
    public void Cleanup() => workspace.Dispose();

    [Benchmark]
    public int CheckModel() => Gate.Run(manifest, new GateOptions(FailOn.Error, [])).Report.Models[0].Findings.Count;
}
