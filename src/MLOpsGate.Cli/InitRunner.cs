using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Onnx;
using MLOpsGate.Core.Repair;

namespace MLOpsGate.Cli;

/// <summary>`mlopsgate init`: drafts a manifest from a model; never overwrites an existing file.</summary>
public sealed class InitRunner(TextWriter stdout, TextWriter stderr)
{
    public int Run(string artifact, string output, string? workspace)
    {
        if (File.Exists(output))
        {
            stderr.WriteLine($"mlopsgate: error: '{output}' already exists; choose another --output or remove it first");
            return ExitCodes.CannotRun;
        }

        var outputDirectory = Path.GetDirectoryName(Path.GetFullPath(output))!;
        var root = workspace ?? WorkspaceLocator.Find(outputDirectory);
        if (!WorkspacePaths.IsInside(Path.GetFullPath(artifact), root))
        {
            stderr.WriteLine($"mlopsgate: error: '{artifact}' lies outside the workspace '{root}' of '{output}'; write the manifest inside the repository that holds the model, or pass --workspace");
            return ExitCodes.CannotRun;
        }

        OnnxModel model;
        try
        {
            model = OnnxModel.Load(artifact, root);
        }
        catch (ModelLoadException ex)
        {
            stderr.WriteLine($"mlopsgate: error: {ex.Message}");
            return ExitCodes.CannotRun;
        }
        catch (FileNotFoundException)
        {
            stderr.WriteLine($"mlopsgate: error: '{artifact}' does not exist; give the path of the exported .onnx model");
            return ExitCodes.CannotRun;
        }

        var draft = ManifestDraft.Draft(model, output, root);
        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(output, draft.Yaml);
        stdout.WriteLine($"wrote {output}. Still to do:");
        foreach (var item in draft.ToDo)
        {
            stdout.WriteLine($"  - {item}");
        }

        return ExitCodes.Passed;
    }
}
