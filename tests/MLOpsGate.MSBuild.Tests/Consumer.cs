using System.Text.RegularExpressions;
using Microsoft.Build.Logging.StructuredLogger;
using MLOpsGate.Tests.Shared;
using BuildTask = Microsoft.Build.Logging.StructuredLogger.Task;

namespace MLOpsGate.MSBuild.Tests;

/// <summary>
/// A folder of consumer projects (a repository root with `.git`) that reference the packed
/// MLOpsGate.MSBuild from the test feed, restore into the run's own packages folder, and are built
/// with the real `dotnet` program.
/// </summary>
public sealed class Consumer
{
    private readonly PackagedGate _gate;
    private int _builds;

    public Consumer(PackagedGate gate, string name)
    {
        _gate = gate;
        Root = gate.NewFolder(name);
        Directory.CreateDirectory(Path.Combine(Root, ".git"));

        // The local feed next to the machine's usual sources (for the SDK's own packages).
        Write("NuGet.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlopsgate-test-feed" value="{gate.Feed}" />
              </packageSources>
            </configuration>
            """);
        Write("Directory.Build.props", $"""
            <Project>
              <PropertyGroup>
                <RestorePackagesPath>{gate.PackagesFolder}</RestorePackagesPath>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>An SDK project referencing the package, with one class so it compiles to something.</summary>
    public string Project(string folder, string targetFrameworks = "net10.0", string extraProperties = "", string extraItems = "")
    {
        var name = Path.GetFileName(folder);
        var tfm = targetFrameworks.Contains(';', StringComparison.Ordinal)
            ? $"<TargetFrameworks>{targetFrameworks}</TargetFrameworks>"
            : $"<TargetFramework>{targetFrameworks}</TargetFramework>";
        Write($"{folder}/Class1.cs", $"namespace {name.Replace('-', '_')} {{ public static class Class1 {{ public static int Answer => 42; }} }}\n");
        return Write($"{folder}/{name}.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                {tfm}
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MLOpsGate.MSBuild" Version="{PackagedGate.Version}" />
                {extraItems}
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>Copies a fixture model and its data (`fixtures/models/NAME.onnx`, `fixtures/data/NAME/`) under <paramref name="folder"/>.</summary>
    public void CopyFixture(string folder, string model)
    {
        Copy($"fixtures/models/{model}.onnx", $"{folder}/models/{model}.onnx");
        var data = RepositoryRoot.Combine($"fixtures/data/{model}");
        foreach (var file in Directory.EnumerateFiles(data))
        {
            Copy($"fixtures/data/{model}/{Path.GetFileName(file)}", $"{folder}/data/{model}/{Path.GetFileName(file)}");
        }
    }

    /// <summary>
    /// A manifest with one model of the fixtures: a standard-convention model is declared standard, an inverted one
    /// inverted, with every kind of evidence. Returns its path.
    /// </summary>
    public string Manifest(string relative, string model, string convention, string severity = "error") =>
        Write(relative, $"""
            # yaml-language-server: $schema=https://raw.githubusercontent.com/mlopsgate/mlopsgate/main/schema/mlopsgate.schema.json
            version: 1
            models:
              - name: {model}
                severity: {severity}
                artifact: models/{model}.onnx
                framework: pytorch
                dropout:
                  convention: {convention}
                  sites:
                    - input_of: "fc2.weight"
                      rate: 0.5
                calibration:
                  inputs: data/{model}/inputs.npy
                expect:
                  outputs: data/{model}/outputs.npy
                  activations: data/{model}/activations.npz
                  checkpoint: data/{model}/checkpoint.npz
            """);

    /// <summary>Runs `dotnet build` (or another command) with a binary log; restores only on the first build.</summary>
    public BuildRun Build(string relative, params string[] extra) => Run("build", relative, extra);

    public BuildRun Run(string command, string relative, params string[] extra)
    {
        _builds++;
        var binlog = Path.Combine(Root, $"build{_builds}.binlog");
        var arguments = new List<string> { command, PathOf(relative), "-tl:off", $"-bl:{binlog}" };
        arguments.AddRange(extra);
        var result = DotnetProcess.Run(Root, [.. arguments]);
        return new BuildRun(result, BinaryLog.ReadBuild(binlog));
    }

    /// <summary>Moves a file's last-write time forward, as an edit would.</summary>
    public void Touch(string relative) =>
        File.SetLastWriteTimeUtc(PathOf(relative), DateTime.UtcNow);

    /// <summary>The 1-based line and column of the first `KEY:` in a file.</summary>
    public (int Line, int Column) KeyPosition(string relative, string key)
    {
        var lines = File.ReadAllLines(PathOf(relative));
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Regex.Match(lines[i], $@"^(?<indent>[ -]*){Regex.Escape(key)}:");
            if (match.Success)
            {
                return (i + 1, match.Groups["indent"].Length + 1);
            }
        }

        throw new InvalidOperationException($"no key '{key}' in {relative}");
    }

    private void Copy(string repositoryRelative, string relative)
    {
        var target = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(RepositoryRoot.Combine(repositoryRelative), target, overwrite: true);
    }
}

/// <summary>One build: its exit code and console output, and its binary log read back.</summary>
public sealed class BuildRun(ProcessResult result, Build log)
{
    public int ExitCode => result.ExitCode;

    public string Output => result.Output;

    public Build Log { get; } = log;

    /// <summary>How many times the gate's task ran, per project file name.</summary>
    public IReadOnlyList<BuildTask> GateRuns =>
        Log.FindChildrenRecursive<BuildTask>(t => t.Name == "MLOpsGateCheck");

    public int GateRunsIn(string projectFileName) =>
        GateRuns.Count(t => string.Equals(Path.GetFileName(ProjectOf(t)?.ProjectFile), projectFileName, StringComparison.Ordinal));

    /// <summary>True when the run target was reached and skipped as up to date.</summary>
    public bool GateSkippedAsUpToDate =>
        Log.FindChildrenRecursive<Target>(t => t.Name == "_MLOpsGateRun").Any(t => t.Skipped)
        && GateRuns.Count == 0;

    /// <summary>True when no MLOpsGate target ran at all (disabled, or no manifest).</summary>
    public bool GateTargetsAbsent =>
        !Log.FindChildrenRecursive<Target>(t => t.Name.StartsWith("_MLOpsGate", StringComparison.Ordinal) && t.Name != "_MLOpsGateClean").Any();

    public IReadOnlyList<Error> Errors => Log.FindChildrenRecursive<Error>();

    public IReadOnlyList<Warning> Warnings => Log.FindChildrenRecursive<Warning>();

    /// <summary>
    /// The distinct lines of the console output that start with <paramref name="prefix"/> (the console
    /// logger repeats errors and warnings in its summary).
    /// </summary>
    public IReadOnlyList<string> LinesStartingWith(string prefix) =>
        result.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();

    public override string ToString() => $"exit code {ExitCode}\n{Output}";

    private static Project? ProjectOf(BaseNode node)
    {
        for (var n = node.Parent; n is not null; n = n.Parent)
        {
            if (n is Project p)
            {
                return p;
            }
        }

        return null;
    }
}
