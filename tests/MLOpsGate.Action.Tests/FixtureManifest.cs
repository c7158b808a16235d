using MLOpsGate.Tests.Shared;

namespace MLOpsGate.Action.Tests;

/// <summary>The repository's real fixtures (fixtures/mlopsgate.yml) as an Action workspace.</summary>
internal static class FixtureManifest
{
    /// <summary>Copies fixtures/ (manifest, models, data) into <paramref name="workspace"/>, which becomes their root.</summary>
    public static void CopyTo(string workspace)
    {
        var source = RepositoryRoot.Combine("fixtures");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(workspace, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>The fixture manifest with only the named models (their blocks copied verbatim, in manifest order).</summary>
    public static string Subset(params string[] models)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("fixtures/mlopsgate.yml"));
        int start = Array.IndexOf(lines, "models:");
        Assert.True(start > 0, "fixtures/mlopsgate.yml has no top-level 'models:'");
        var kept = lines.Take(start + 1).ToList();
        bool keep = false;
        foreach (var line in lines.Skip(start + 1))
        {
            if (line.StartsWith("  - name: ", StringComparison.Ordinal))
            {
                keep = models.Contains(line["  - name: ".Length..].Trim());
            }
            else if (line.StartsWith("  #", StringComparison.Ordinal))
            {
                continue;
            }

            if (keep)
            {
                kept.Add(line);
            }
        }

        Assert.All(models, m => Assert.Contains($"  - name: {m}", kept));
        return string.Join("\n", kept) + "\n";
    }
}
