using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Manifest;

namespace MLOpsGate.Action;

/// <summary>
/// What the runner hands a docker action: the inputs (`INPUT_*`, upper-cased, spaces to '_', hyphens kept)
/// and the `GITHUB_*` variables, read from the process environment (a POSIX shell would drop `INPUT_FAIL-ON`).
/// </summary>
internal sealed record ActionSettings
{
    public const string DefaultManifest = "mlopsgate.yml";
    public const string ReportPath = ".mlopsgate/report.json";

    public required string Workspace { get; init; }

    /// <summary>The `manifest` input as given (relative to the workspace unless absolute).</summary>
    public required string Manifest { get; init; }

    public string? Token { get; init; }

    public FailOn FailOn { get; init; } = FailOn.Error;

    public bool Annotate { get; init; } = true;

    public bool Comment { get; init; } = true;

    /// <summary>The `sarif` input: where to write SARIF (relative to the workspace unless absolute), or null.</summary>
    public string? Sarif { get; init; }

    public string? OutputFile { get; init; }

    public string? SummaryFile { get; init; }

    public string? EventPath { get; init; }

    public string? EventName { get; init; }

    public string ApiUrl { get; init; } = "https://api.github.com";

    public string? Repository { get; init; }

    public string? Sha { get; init; }

    public string? ServerUrl { get; init; }

    public string? RunId { get; init; }

    public string ManifestFullPath => Path.GetFullPath(Path.Combine(Workspace, Manifest));

    /// <summary>The manifest path relative to the workspace with '/' separators (how annotations and the marker name it).</summary>
    public string ManifestRelativePath => WorkspacePaths.ToWorkspaceRelative(ManifestFullPath, Workspace);

    public string ReportFullPath => Path.Combine(Workspace, ReportPath);

    /// <summary>Reads the settings; every bad input is reported (not only the first).</summary>
    public static (ActionSettings? Settings, IReadOnlyList<string> Problems) Read(IReadOnlyDictionary<string, string> environment)
    {
        var problems = new List<string>();
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        string? Input(string name) => Get("INPUT_" + name.Replace(' ', '_').ToUpperInvariant());

        bool Boolean(string name, bool fallback)
        {
            var value = Input(name);
            switch (value)
            {
                case null:
                    return fallback;
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
                default:
                    problems.Add($"input '{name}' is '{value}'; use true or false");
                    return fallback;
            }
        }

        var failOn = FailOn.Error;
        switch (Input("fail-on"))
        {
            case null or "error":
                break;
            case "warning":
                failOn = FailOn.Warning;
                break;
            case "never":
                failOn = FailOn.Never;
                break;
            case var other:
                problems.Add($"input 'fail-on' is '{other}'; use error, warning or never");
                break;
        }

        var annotate = Boolean("annotate", true);
        var comment = Boolean("comment", true);
        var workspace = Get("GITHUB_WORKSPACE") ?? Directory.GetCurrentDirectory();
        if (!Directory.Exists(workspace))
        {
            problems.Add($"the workspace folder '{workspace}' (GITHUB_WORKSPACE) does not exist");
        }

        var manifest = Input("manifest") ?? DefaultManifest;
        if (manifest.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            problems.Add("input 'manifest' contains a control character; give the manifest's path relative to the repository root");
        }

        var sarif = Input("sarif");
        if (sarif is not null && sarif.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            problems.Add("input 'sarif' contains a control character; give a file path relative to the repository root");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new ActionSettings
        {
            Workspace = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspace)),
            Manifest = manifest,
            Token = Input("github-token"),
            FailOn = failOn,
            Annotate = annotate,
            Comment = comment,
            Sarif = sarif,
            OutputFile = Get("GITHUB_OUTPUT"),
            SummaryFile = Get("GITHUB_STEP_SUMMARY"),
            EventPath = Get("GITHUB_EVENT_PATH"),
            EventName = Get("GITHUB_EVENT_NAME"),
            ApiUrl = Get("GITHUB_API_URL") ?? "https://api.github.com",
            Repository = Get("GITHUB_REPOSITORY"),
            Sha = Get("GITHUB_SHA"),
            ServerUrl = Get("GITHUB_SERVER_URL"),
            RunId = Get("GITHUB_RUN_ID"),
        }, problems);
    }
}
