namespace MLOpsGate.Core.Manifest;

/// <summary>The outcome of loading a manifest: the manifest when valid, else every problem found.</summary>
public sealed record ManifestLoadResult(GateManifest? Manifest, IReadOnlyList<ManifestProblem> Problems)
{
    public bool IsValid => Manifest is not null && Problems.Count == 0;
}
