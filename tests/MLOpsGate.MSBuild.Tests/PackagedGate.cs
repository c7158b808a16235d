using System.IO.Compression;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.MSBuild.Tests;

/// <summary>
/// The MLOpsGate.MSBuild package, packed ONCE per test run into a temporary local feed, with a
/// NuGet packages folder of its own so no package from an earlier run or the machine's cache is reused.
/// </summary>
public sealed class PackagedGate : IDisposable
{
    public const string Version = "0.1.0";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly TempWorkspace _root = new(withGitDirectory: false);
    private readonly Lazy<string> _tools;

    public PackagedGate()
    {
        Feed = _root.CreateDirectory("feed");
        PackagesFolder = _root.CreateDirectory("packages");
        var project = RepositoryRoot.Combine("src/MLOpsGate.MSBuild/MLOpsGate.MSBuild.csproj");
        var pack = DotnetProcess.Run(RepositoryRoot.Path, "pack", project, "-c", Configuration, "-o", Feed, "-tl:off", "-nologo");
        Nupkg = Path.Combine(Feed, $"MLOpsGate.MSBuild.{Version}.nupkg");
        if (pack.ExitCode != 0 || !File.Exists(Nupkg))
        {
            throw new InvalidOperationException($"dotnet pack failed with exit code {pack.ExitCode}:\n{pack.Output}");
        }

        _tools = new Lazy<string>(ExtractTools);
    }

    public string Feed { get; }

    public string PackagesFolder { get; }

    public string Nupkg { get; }

    /// <summary>The package's `tools/` folder (the CLI), extracted once for the tests that run the task in-process.</summary>
    public string ToolsDirectory => _tools.Value;

    /// <summary>A new folder for one test's consumer projects, deleted with the fixture.</summary>
    public string NewFolder(string name) => _root.CreateDirectory(name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public IReadOnlyList<string> PackageEntries()
    {
        using var zip = ZipFile.OpenRead(Nupkg);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    public void Dispose() => _root.Dispose();

    private string ExtractTools()
    {
        var target = _root.CreateDirectory("extracted");
        ZipFile.ExtractToDirectory(Nupkg, target);
        return Path.Combine(target, "tools");
    }
}

[CollectionDefinition(Name)]
public sealed class PackagedGateCollection : ICollectionFixture<PackagedGate>
{
    /// <summary>Every test that needs the package; they run one after another (each build uses both cores).</summary>
    public const string Name = "packaged gate";
}
