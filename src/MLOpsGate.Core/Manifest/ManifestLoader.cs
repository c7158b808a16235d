namespace MLOpsGate.Core.Manifest;

/// <summary>Reads and validates a manifest v1 (`mlopsgate.yml`). Every problem is collected (never only the
/// first), each at the 1-based line and column of the offending key; no exception escapes for a bad manifest.</summary>
public static class ManifestLoader
{
    public const string DefaultFileName = "mlopsgate.yml";

    /// <summary>Loads the manifest at <paramref name="manifestPath"/>.</summary>
    /// <param name="manifestPath">The path as given on the command line; it becomes <see cref="GateManifest.DisplayPath"/>.</param>
    /// <param name="workspaceRoot">The `--workspace` override; when null the root is found by <see cref="WorkspaceLocator"/>.</param>
    public static ManifestLoadResult Load(string manifestPath, string? workspaceRoot = null)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        if (manifestPath.Length == 0)
        {
            manifestPath = DefaultFileName;
        }

        var start = new SourceLocation(1, 1);
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(manifestPath);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Failure($"'{manifestPath}' is not a usable file path; pass the manifest file with --manifest FILE", start);
        }

        if (Directory.Exists(fullPath))
        {
            return Failure(
                $"'{manifestPath}' is a folder, not a manifest file; pass the file itself, e.g. --manifest {manifestPath.TrimEnd('/', '\\')}/{DefaultFileName}",
                start);
        }

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failure(
                $"manifest file '{manifestPath}' was not found; create it (run 'mlopsgate init --artifact MODEL.onnx' to draft one) " +
                "or pass the right path with --manifest FILE",
                start);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return Failure(
                $"manifest file '{manifestPath}' cannot be read ({exception.Message.TrimEnd('.')}); check that it is a readable file",
                start);
        }

        var manifestDirectory = Path.GetDirectoryName(fullPath) ?? fullPath;
        string root;
        if (workspaceRoot is null)
        {
            root = WorkspaceLocator.Find(manifestDirectory);
        }
        else
        {
            try
            {
                root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot));
            }
            catch (Exception exception) when (exception is ArgumentException or NotSupportedException or PathTooLongException)
            {
                return Failure($"the workspace '{workspaceRoot}' is not a usable folder path; pass an existing folder with --workspace", start);
            }

            if (!Directory.Exists(root))
            {
                return Failure($"the workspace folder '{workspaceRoot}' does not exist; pass an existing folder with --workspace", start);
            }
        }

        return Parse(text, manifestPath, fullPath, root);
    }

    /// <summary>Validates manifest text; paths are resolved against the folder of <paramref name="manifestFullPath"/>
    /// and confined to <paramref name="workspaceRoot"/>. The manifest is returned only when there is no problem.</summary>
    public static ManifestLoadResult Parse(string yamlText, string displayPath, string manifestFullPath, string workspaceRoot)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(displayPath);
        ArgumentNullException.ThrowIfNull(manifestFullPath);
        ArgumentNullException.ThrowIfNull(workspaceRoot);

        var fullPath = Path.GetFullPath(manifestFullPath);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot));
        var read = YamlTreeReader.Read(yamlText);
        var problems = new List<ManifestProblem>(read.Problems);
        GateManifest? manifest = null;
        if (!read.SyntaxError)
        {
            var validator = new ManifestValidator(Path.GetDirectoryName(fullPath) ?? fullPath, root);
            var models = validator.Validate(read.Root);
            problems.AddRange(validator.Problems);
            if (problems.Count == 0)
            {
                manifest = new GateManifest(displayPath, fullPath, root, models)
                {
                    DefaultSeverity = validator.DefaultSeverity,
                    DefaultTolerance = validator.DefaultTolerance,
                };
            }
        }

        var ordered = problems
            .Select((problem, index) => (problem, index))
            .OrderBy(p => p.problem.Location.Line)
            .ThenBy(p => p.problem.Location.Column)
            .ThenBy(p => p.index)
            .Select(p => p.problem)
            .ToList();
        return new ManifestLoadResult(manifest, ordered);
    }

    private static ManifestLoadResult Failure(string message, SourceLocation location) =>
        new(null, [new ManifestProblem(message, location)]);
}
