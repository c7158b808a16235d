using MLOpsGate.Tests.Shared;
using MLOpsGate.Core.Manifest;
using static MLOpsGate.Core.Tests.Manifest.ManifestTestSupport;

namespace MLOpsGate.Core.Tests.Manifest;

public sealed class ManifestPathTests : IDisposable
{
    private const string Outside = "every path in the manifest must be inside the workspace";

    private readonly TempWorkspace outer = new(withGitDirectory: false);
    private readonly string root;

    public ManifestPathTests()
    {
        // <outer>/ws is the workspace; <outer>/secret is outside it.
        root = outer.CreateDirectory("ws");
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        outer.Write("secret/weights.onnx", "not a model");
    }

    public void Dispose() => outer.Dispose();

    private ManifestLoadResult ParseIn(string manifestFolder, string artifact)
    {
        var yaml = $"version: 1\nmodels:\n  - name: m\n    artifact: {artifact}\n    framework: pytorch\n    dropout: {{ convention: inverted }}\n";
        var manifestPath = Path.Combine(root, manifestFolder, "mlopsgate.yml");
        return ManifestLoader.Parse(yaml, "mlopsgate.yml", manifestPath, root);
    }

    [Fact]
    public void Dot_dot_out_of_the_workspace_is_refused()
    {
        var result = ParseIn("", "../secret/weights.onnx");

        AssertSingleProblem(
            result,
            $"'artifact' in model 'm' points outside the workspace: '../secret/weights.onnx' climbs out of the workspace with '..'; {Outside}",
            4,
            5);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_is_accepted_and_resolved_against_the_manifest_folder()
    {
        var result = ParseIn("sub/project", "../../models/x.onnx");

        Assert.True(result.IsValid, Describe(result));
        var artifact = result.Manifest!.Models[0].Artifact;
        Assert.Equal(Path.Combine(root, "models", "x.onnx"), artifact.FullPath);
        Assert.Equal("models/x.onnx", artifact.WorkspaceRelativePath);
    }

    [Fact]
    public void Absolute_path_outside_the_workspace_is_refused()
    {
        var absolute = Path.Combine(outer.Root, "secret", "weights.onnx").Replace('\\', '/');

        var result = ParseIn("", absolute);

        AssertSingleProblem(result, $"points outside the workspace: '{absolute}' is an absolute path outside the workspace; {Outside}", 4, 5);
    }

    [Fact]
    public void Absolute_path_inside_the_workspace_is_accepted()
    {
        var absolute = Path.Combine(root, "models", "x.onnx");

        var result = ParseIn("", absolute.Replace('\\', '/'));

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal("models/x.onnx", result.Manifest!.Models[0].Artifact.WorkspaceRelativePath);
    }

    [Fact]
    public void Symlinked_folder_pointing_outside_is_refused()
    {
        if (!TryCreateDirectoryLink(Path.Combine(root, "data"), Path.Combine(outer.Root, "secret")))
        {
            return;
        }

        var result = ParseIn("", "data/weights.onnx");

        AssertSingleProblem(
            result,
            $"'artifact' in model 'm' points outside the workspace: 'data/weights.onnx' goes through the symbolic link 'data', which leads outside the workspace; {Outside}",
            4,
            5);
    }

    [Fact]
    public void Symlinked_file_pointing_outside_is_refused_even_through_an_inner_link()
    {
        Directory.CreateDirectory(Path.Combine(root, "models"));
        var fileLink = Path.Combine(root, "models", "escape.onnx");
        try
        {
            File.CreateSymbolicLink(fileLink, Path.Combine(outer.Root, "secret", "weights.onnx"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return; // no permission to create links on this machine
        }

        // An inner link that stays inside, then the file link that leaves.
        if (!TryCreateDirectoryLink(Path.Combine(root, "alias"), Path.Combine(root, "models")))
        {
            return;
        }

        var direct = ParseIn("", "models/escape.onnx");
        var viaAlias = ParseIn("", "alias/escape.onnx");

        AssertSingleProblem(direct, "goes through the symbolic link 'models/escape.onnx', which leads outside the workspace", 4, 5);
        AssertSingleProblem(viaAlias, "which leads outside the workspace", 4, 5);
    }

    [Fact]
    public void Symlink_that_stays_inside_is_accepted()
    {
        Directory.CreateDirectory(Path.Combine(root, "real"));
        if (!TryCreateDirectoryLink(Path.Combine(root, "link"), Path.Combine(root, "real")))
        {
            return;
        }

        var result = ParseIn("", "link/model.onnx");

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal("link/model.onnx", result.Manifest!.Models[0].Artifact.WorkspaceRelativePath);
    }

    [Fact]
    public void Dot_dot_after_a_link_follows_the_link_target()
    {
        // ws/hop -> <outer>/secret/inner ; 'hop/../weights.onnx' is <outer>/secret/weights.onnx physically.
        Directory.CreateDirectory(Path.Combine(outer.Root, "secret", "inner"));
        if (!TryCreateDirectoryLink(Path.Combine(root, "hop"), Path.Combine(outer.Root, "secret", "inner")))
        {
            return;
        }

        var result = ParseIn("", "hop/../weights.onnx");

        AssertSingleProblem(result, "goes through the symbolic link 'hop', which leads outside the workspace", 4, 5);
    }

    [Fact]
    public void Every_path_key_is_confined()
    {
        var yaml = """
            version: 1
            models:
              - name: m
                artifact: model.onnx
                framework: pytorch
                dropout: { convention: inverted }
                calibration:
                  inputs: ../x.npy
                expect:
                  outputs: ../../ref.npy
                  activations: ../acts.npz
                  checkpoint: ../ckpt.npz
            """;

        var result = ManifestLoader.Parse(yaml, "mlopsgate.yml", Path.Combine(root, "mlopsgate.yml"), root);

        AssertProblem(result, "'inputs' in 'calibration' of model 'm' points outside the workspace: '../x.npy'", 8, 7);
        AssertProblem(result, "'outputs' in 'expect' of model 'm' points outside the workspace: '../../ref.npy'", 10, 7);
        AssertProblem(result, "'activations' in 'expect' of model 'm' points outside the workspace", 11, 7);
        AssertProblem(result, "'checkpoint' in 'expect' of model 'm' points outside the workspace", 12, 7);
        Assert.Equal(4, result.Problems.Count);
    }

    [Fact]
    public void Missing_files_are_not_a_manifest_problem()
    {
        var result = ParseIn("", "models/not-there-yet.onnx");

        Assert.True(result.IsValid, Describe(result));
        Assert.False(File.Exists(result.Manifest!.Models[0].Artifact.FullPath));
    }

    [Fact]
    public void Backslashes_are_read_as_separators()
    {
        var result = ParseIn("", "models\\\\x.onnx");

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal("models/x.onnx", result.Manifest!.Models[0].Artifact.WorkspaceRelativePath);
    }

    [Fact]
    public void Workspace_paths_can_be_checked_directly()
    {
        Assert.Equal(PathEscape.None, WorkspacePaths.Resolve("a/b.bin", root, root).Escape);
        Assert.Equal(PathEscape.ParentTraversal, WorkspacePaths.Resolve("../a.bin", root, root).Escape);
        Assert.Equal(PathEscape.OutsideWorkspace, WorkspacePaths.Resolve("a.bin", outer.Root, root).Escape);
        Assert.True(WorkspacePaths.IsInside(root, root));
        Assert.False(WorkspacePaths.IsInside(root + "-sibling", root));
    }

    private static bool TryCreateDirectoryLink(string link, string target)
    {
        try
        {
            Directory.CreateSymbolicLink(link, target);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false; // no permission to create links on this machine (e.g. Windows without developer mode)
        }
    }
}
