using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class WorkspaceLocatorTests
{
    [Fact]
    public void Finds_the_folder_holding_a_git_directory()
    {
        using var workspace = new TempWorkspace(withGitDirectory: true);
        var nested = workspace.CreateDirectory("a/b/c");

        Assert.Equal(workspace.Root, WorkspaceLocator.Find(nested));
        Assert.Equal(workspace.Root, WorkspaceLocator.Find(workspace.Root));
    }

    [Fact]
    public void Finds_the_folder_holding_a_git_file_of_a_worktree_or_submodule()
    {
        using var outer = new TempWorkspace(withGitDirectory: true);
        outer.Write("modules/sub/.git", "gitdir: ../../.git/modules/sub\n");
        var nested = outer.CreateDirectory("modules/sub/models");

        Assert.Equal(outer.PathOf("modules/sub"), WorkspaceLocator.Find(nested));
    }

    [Fact]
    public void Falls_back_to_the_manifest_folder()
    {
        using var workspace = new TempWorkspace(withGitDirectory: false);
        var nested = workspace.CreateDirectory("project");

        // The temp folder normally has no repository above it; if it has, the answer is that repository.
        var found = WorkspaceLocator.Find(nested);
        var expected = HasGitAbove(nested) ? found : nested;
        Assert.Equal(expected, found);
    }

    [Fact]
    public void Load_uses_the_discovered_workspace_and_the_override()
    {
        using var workspace = new TempWorkspace(withGitDirectory: true);
        var manifest = workspace.Write(
            "proj/mlopsgate.yml",
            "version: 1\nmodels:\n  - name: m\n    artifact: ../shared/model.onnx\n    framework: pytorch\n    dropout: { convention: inverted }\n");

        var discovered = ManifestLoader.Load(manifest);
        Assert.True(discovered.IsValid, ManifestTestSupport.Describe(discovered));
        Assert.Equal(workspace.Root, discovered.Manifest!.WorkspaceRoot);
        Assert.Equal("shared/model.onnx", discovered.Manifest.Models[0].Artifact.WorkspaceRelativePath);

        var narrowed = ManifestLoader.Load(manifest, workspace.PathOf("proj"));
        ManifestTestSupport.AssertSingleProblem(narrowed, "climbs out of the workspace with '..'", 4, 5);
    }

    private static bool HasGitAbove(string folder)
    {
        for (var directory = new DirectoryInfo(folder); directory is not null; directory = directory.Parent)
        {
            var git = Path.Combine(directory.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return true;
            }
        }

        return false;
    }
}
