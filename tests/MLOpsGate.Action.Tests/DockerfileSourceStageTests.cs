using System.Text.RegularExpressions;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Action.Tests;

/// <summary>
/// The production path of the Dockerfile (the `source` stage on the SDK image) cannot be built offline, so its
/// recipe is replayed on this machine: exactly the files its COPY lines take (which .dockerignore must let
/// through) into an empty folder, then its RUN line. A file the build needs but the stage does not copy fails here.
/// </summary>
public sealed partial class DockerfileSourceStageTests
{
    [Fact]
    public async Task TheSourceStageCopiesEverythingItsPublishNeeds()
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("Dockerfile"));
        var stage = lines.SkipWhile(l => !l.StartsWith("FROM ${SDK_IMAGE} AS source", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Contains("WORKDIR /src", stage);
        var ignore = File.ReadAllLines(RepositoryRoot.Combine(".dockerignore"));

        using var scratch = new TempWorkspace(withGitDirectory: false);
        var root = scratch.CreateDirectory("src");
        foreach (var copy in stage.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)))
        {
            var parts = copy["COPY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var destination = parts[^1] == "./" ? root : Path.Combine(root, parts[^1].TrimEnd('/'));
            foreach (var source in parts[..^1])
            {
                Assert.Contains($"!{source}", ignore);
                var from = RepositoryRoot.Combine(source.TrimEnd('/'));
                if (Directory.Exists(from))
                {
                    foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)
                        .Where(f => !BuildOutput().IsMatch(Path.GetRelativePath(from, f).Replace('\\', '/'))))
                    {
                        var target = Path.Combine(destination, Path.GetRelativePath(from, file));
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        File.Copy(file, target);
                    }
                }
                else
                {
                    Directory.CreateDirectory(destination);
                    File.Copy(from, Path.Combine(destination, Path.GetFileName(from)));
                }
            }
        }

        var run = Assert.Single(stage, l => l.StartsWith("RUN ", StringComparison.Ordinal))["RUN ".Length..];
        var output = scratch.PathOf("out");
        var result = ChildProcess.Run("bash", ["-c", run.Replace(" -o /out", $" -o '{output}'", StringComparison.Ordinal)], root, TimeSpan.FromMinutes(15));

        Assert.True(result.ExitCode == 0, $"the source stage's RUN failed on the copied files:\n{result}");
        Assert.True(File.Exists(Path.Combine(output, "mlopsgate-action")), "the publish has the entry point of action.yml");
        Assert.True(File.Exists(Path.Combine(output, "libonnxruntime.so")), "the publish carries ONNX Runtime for linux-x64 (glibc)");
    }

    [GeneratedRegex("(^|/)(bin|obj)/")]
    private static partial Regex BuildOutput();
}
