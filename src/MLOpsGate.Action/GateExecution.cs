using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Action;

/// <summary>Runs the gate on the manifest inside the workspace (GITHUB_WORKSPACE is the workspace root).</summary>
internal static class GateExecution
{
    public static GateReport Run(ActionSettings settings, Action<string> progress)
    {
        var loaded = ManifestLoader.Load(settings.ManifestFullPath, settings.Workspace);
        if (!loaded.IsValid)
        {
            return Gate.InvalidManifest(settings.Manifest, settings.ManifestRelativePath, loaded.Problems);
        }

        return Gate.Run(loaded.Manifest!, new GateOptions(settings.FailOn, []), progress).Report;
    }
}
