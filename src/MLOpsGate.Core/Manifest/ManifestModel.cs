namespace MLOpsGate.Core.Manifest;

/// <summary>A 1-based line and column in the manifest.</summary>
public readonly record struct SourceLocation(int Line, int Column)
{
    public override string ToString() => $"({Line},{Column})";
}

public enum Framework { Pytorch, Tensorflow, Keras, Jax, Paddle, Mxnet, Caffe, Torch7, Dl4j, Numpy, Custom }

public enum DropoutConvention { Inverted, Standard }

public enum CompensationPlace { Any, Weights, Node }

/// <summary>The severity a model's gate-failing findings get (manifest `severity`).</summary>
public enum GateSeverity { Error, Warning }

public enum SiteKind { InputOf, Tensor }

/// <summary>A file named in the manifest, resolved against the manifest's folder and confined to the workspace.</summary>
/// <param name="Key">The YAML key that named it (artifact, inputs, outputs, activations, checkpoint).</param>
/// <param name="Value">The path as written.</param>
/// <param name="FullPath">The absolute path.</param>
public sealed record ManifestFile(string Key, string Value, string FullPath, SourceLocation Location)
{
    /// <summary>The path relative to the workspace root, '/'-separated (for reports).</summary>
    public string WorkspaceRelativePath { get; init; } = Value;
}

public sealed record Tolerance(double Rtol, double Atol)
{
    public static Tolerance Default { get; } = new(1.0e-3, 1.0e-5);

    /// <summary>numpy's allclose rule for one element.</summary>
    public bool IsClose(double actual, double reference) =>
        Math.Abs(actual - reference) <= Atol + Rtol * Math.Abs(reference);
}

/// <summary>One place where dropout acted during training.</summary>
/// <param name="Id">The `input_of` initializer name or the `tensor` name.</param>
/// <param name="Location">Where the `input_of` / `tensor` key stands.</param>
/// <param name="Rate">The drop probability p (from `rate`, or 1 - `keep`).</param>
public sealed record SiteSpec(SiteKind Kind, string Id, SourceLocation Location, double Rate, bool ActiveAtInference)
{
    public double Keep => 1.0 - Rate;

    /// <summary>True when the site was declared with `keep:` rather than `rate:`.</summary>
    public bool DeclaredAsKeep { get; init; }

    /// <summary>Where the `rate` / `keep` key stands.</summary>
    public SourceLocation? RateLocation { get; init; }

    /// <summary>Where `active_at_inference` stands, when given.</summary>
    public SourceLocation? ActiveAtInferenceLocation { get; init; }
}

public sealed record CalibrationSpec(ManifestFile Inputs, int BatchSize, long? Limit)
{
    public const int DefaultBatchSize = 64;

    /// <summary>Where the `calibration` key stands.</summary>
    public SourceLocation? Location { get; init; }
}

public sealed record ExpectSpec(
    ManifestFile? Outputs,
    ManifestFile? Activations,
    ManifestFile? Checkpoint,
    Tolerance Tolerance,
    bool Deterministic,
    double? SaturationMaxIncrease)
{
    public const bool DefaultDeterministic = true;

    /// <summary>Where the `expect` key stands, when given.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>Where `expect.tolerance` stands, when given.</summary>
    public SourceLocation? ToleranceLocation { get; init; }

    /// <summary>Where `expect.deterministic` stands, when given.</summary>
    public SourceLocation? DeterministicLocation { get; init; }

    /// <summary>Where `expect.saturation` stands, when given.</summary>
    public SourceLocation? SaturationLocation { get; init; }
}

public sealed record ModelSpec(
    string Name,
    SourceLocation NameLocation,
    GateSeverity Severity,
    ManifestFile Artifact,
    Framework Framework,
    SourceLocation FrameworkLocation,
    DropoutConvention Convention,
    SourceLocation ConventionLocation,
    CompensationPlace Compensation,
    IReadOnlyList<SiteSpec> Sites,
    CalibrationSpec? Calibration,
    ExpectSpec Expect)
{
    /// <summary>Where the model's `severity` key stands, when given (else the value came from defaults).</summary>
    public SourceLocation? SeverityLocation { get; init; }

    /// <summary>Where the `dropout` key stands.</summary>
    public SourceLocation? DropoutLocation { get; init; }

    /// <summary>Where `dropout.sites` stands, when given.</summary>
    public SourceLocation? SitesLocation { get; init; }

    /// <summary>Where `dropout.compensation` stands, when given (else <see cref="Compensation"/> is the default, any).</summary>
    public SourceLocation? CompensationLocation { get; init; }

    /// <summary>Every file the model names, in manifest order: artifact, calibration inputs, then the expect files.</summary>
    public IEnumerable<ManifestFile> Files
    {
        get
        {
            yield return Artifact;
            if (Calibration is not null)
            {
                yield return Calibration.Inputs;
            }

            foreach (var file in new[] { Expect.Outputs, Expect.Activations, Expect.Checkpoint })
            {
                if (file is not null)
                {
                    yield return file;
                }
            }
        }
    }
}

/// <summary>A parsed, valid manifest.</summary>
/// <param name="DisplayPath">The manifest path as given on the command line (used in diagnostics).</param>
/// <param name="FullPath">The manifest's absolute path.</param>
/// <param name="WorkspaceRoot">The absolute workspace root every path is confined to.</param>
public sealed record GateManifest(string DisplayPath, string FullPath, string WorkspaceRoot, IReadOnlyList<ModelSpec> Models)
{
    /// <summary>The severity from `defaults.severity` (error when absent).</summary>
    public GateSeverity DefaultSeverity { get; init; } = GateSeverity.Error;

    /// <summary>The tolerance from `defaults.tolerance` over the built-in default.</summary>
    public Tolerance DefaultTolerance { get; init; } = Tolerance.Default;
}

/// <summary>A problem with the manifest itself (MLG001), located at a key.</summary>
public sealed record ManifestProblem(string Message, SourceLocation Location);
