using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Core.Reporting;

/// <summary>
/// Writes the report as SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers): one run,
/// one reporting descriptor per rule of <see cref="RuleCatalog"/>, one result per finding and per
/// manifest problem, located at the manifest key the finding points at.
/// </summary>
public static class SarifReportWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string SarifVersion = "2.1.0";
    public const string InformationUri = "https://github.com/mlopsgate/mlopsgate";

    /// <summary>The base id artifact locations are relative to: the workspace (repository root).</summary>
    public const string SourceRootBaseId = "%SRCROOT%";

    /// <summary>The key of the stable fingerprint in each result's <c>partialFingerprints</c>.</summary>
    public const string FingerprintKey = "mlopsgateFindingHash/v1";

    /// <summary>GitHub code scanning rejects a run with more results than this; the most severe are kept.</summary>
    public const int GitHubResultLimit = 25_000;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    public static string Serialize(GateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Build(report).WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void Write(GateReport report, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, Serialize(report) + "\n");
    }

    /// <summary>The SARIF <c>level</c> of a severity.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    /// <summary>A rule's kind as a SARIF rule name: <c>missing-dropout-scaling</c> → <c>MissingDropoutScaling</c>.</summary>
    public static string RuleName(string kind) =>
        string.Concat(kind.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static JsonObject Build(GateReport report)
    {
        var manifest = report.Manifest.Replace('\\', '/');
        var entries = (report.Problems ?? []).Select(p => (Model: (ModelReport?)null, Finding: p))
            .Concat(report.Models.SelectMany(m => m.Findings.Select(f => (Model: (ModelReport?)m, Finding: f))))
            .ToList();
        var omitted = 0;
        if (entries.Count > GitHubResultLimit)
        {
            omitted = entries.Count - GitHubResultLimit;
            var keep = entries.Select((e, i) => (e, i))
                .OrderByDescending(x => x.e.Finding.Severity).ThenBy(x => x.i)
                .Take(GitHubResultLimit).Select(x => x.i).ToHashSet();
            entries = entries.Where((_, i) => keep.Contains(i)).ToList();
        }

        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        var results = new JsonArray();
        foreach (var (model, finding) in entries)
        {
            results.Add(Result(manifest, model, finding, fingerprints));
        }

        var invocation = new JsonObject { ["executionSuccessful"] = report.Verdict != Verdict.Error };
        if (omitted > 0)
        {
            invocation["toolExecutionNotifications"] = new JsonArray(new JsonObject
            {
                ["level"] = "warning",
                ["message"] = new JsonObject
                {
                    ["text"] = $"{omitted} less severe findings are not in this SARIF file (code scanning accepts at most {GitHubResultLimit} results per run); the JSON report has them all.",
                },
            });
        }

        var run = new JsonObject
        {
            ["tool"] = new JsonObject
            {
                ["driver"] = new JsonObject
                {
                    ["name"] = report.Tool.Name,
                    ["version"] = report.Tool.Version,
                    ["semanticVersion"] = report.Tool.Version,
                    ["informationUri"] = InformationUri,
                    ["rules"] = new JsonArray([.. RuleCatalog.All.Select(Rule)]),
                },
            },
            ["automationDetails"] = new JsonObject { ["id"] = $"{report.Tool.Name}/{manifest}/" },
            ["invocations"] = new JsonArray(invocation),
            ["originalUriBaseIds"] = new JsonObject
            {
                [SourceRootBaseId] = new JsonObject
                {
                    ["description"] = new JsonObject { ["text"] = "The workspace: the repository root the manifest's paths are relative to." },
                },
            },
            ["columnKind"] = "utf16CodeUnits",
            ["results"] = results,
            ["properties"] = new JsonObject
            {
                ["manifest"] = manifest,
                ["verdict"] = Word(report.Verdict),
                ["errors"] = report.CountErrors(),
                ["warnings"] = report.CountWarnings(),
            },
        };

        return new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = SarifVersion,
            ["runs"] = new JsonArray(run),
        };
    }

    private static JsonObject Rule(RuleDescriptor rule)
    {
        var text = new StringBuilder()
            .Append(rule.Description).Append("\n\n")
            .Append("Why it matters: ").Append(rule.WhyItMatters).Append('\n')
            .Append("Example: ").Append(rule.Example).Append('\n')
            .Append("How to fix: ").Append(rule.HowToFix).Append('\n')
            .Append("More: ").Append(rule.HelpUri)
            .ToString();
        var markdown = new StringBuilder()
            .Append(rule.Description).Append("\n\n")
            .Append("**Why it matters.** ").Append(rule.WhyItMatters).Append("\n\n")
            .Append("**Example.** ").Append(rule.Example).Append("\n\n")
            .Append("**How to fix.** ").Append(rule.HowToFix).Append("\n\n")
            .Append("[").Append(rule.Id).Append(" in the rule reference](").Append(rule.HelpUri).Append(')')
            .ToString();
        return new JsonObject
        {
            ["id"] = rule.Id,
            ["name"] = RuleName(rule.Kind),
            ["shortDescription"] = new JsonObject { ["text"] = rule.Title },
            ["fullDescription"] = new JsonObject { ["text"] = rule.Description },
            ["help"] = new JsonObject { ["text"] = text, ["markdown"] = markdown },
            ["helpUri"] = rule.HelpUri,
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(rule.DefaultSeverity) },
            ["properties"] = new JsonObject
            {
                ["kind"] = rule.Kind,
                ["tags"] = new JsonArray("mlopsgate", "onnx", "dropout"),
                ["precision"] = "high",
                ["problem.severity"] = rule.DefaultSeverity switch
                {
                    Severity.Error => "error",
                    Severity.Warning => "warning",
                    _ => "recommendation",
                },
            },
        };
    }

    private static JsonObject Result(string manifest, ModelReport? model, Finding finding, HashSet<string> fingerprints)
    {
        var ruleIndex = -1;
        for (var i = 0; i < RuleCatalog.All.Count; i++)
        {
            if (string.Equals(RuleCatalog.All[i].Id, finding.Rule, StringComparison.Ordinal))
            {
                ruleIndex = i;
                break;
            }
        }

        var file = string.IsNullOrEmpty(finding.Location.File) ? manifest : finding.Location.File.Replace('\\', '/');
        var physical = new JsonObject
        {
            ["artifactLocation"] = new JsonObject { ["uri"] = RelativeUri(file), ["uriBaseId"] = SourceRootBaseId },
        };
        if (finding.Location.Line >= 1)
        {
            var region = new JsonObject { ["startLine"] = finding.Location.Line };
            if (finding.Location.Column >= 1)
            {
                region["startColumn"] = finding.Location.Column;
            }

            physical["region"] = region;
        }

        var location = new JsonObject { ["physicalLocation"] = physical };
        if (model is not null)
        {
            var logical = new JsonObject
            {
                ["name"] = finding.Site ?? model.Name,
                ["fullyQualifiedName"] = finding.Site is null ? model.Name : $"{model.Name}/{finding.Site}",
                ["kind"] = finding.Site is null ? "module" : "member",
            };
            location["logicalLocations"] = new JsonArray(logical);
        }

        var properties = new JsonObject
        {
            ["kind"] = finding.Kind,
            ["defaultSeverity"] = Level(finding.DefaultSeverity),
        };
        if (model is not null)
        {
            properties["model"] = model.Name;
            properties["artifact"] = model.Artifact;
        }

        if (finding.Site is not null)
        {
            properties["site"] = finding.Site;
        }

        AddNumber(properties, "estimatedScale", finding.EstimatedScale);
        AddNumber(properties, "explainingRate", finding.ExplainingRate);
        if (finding.Fix is not null)
        {
            properties["fix"] = finding.Fix;
        }

        var result = new JsonObject { ["ruleId"] = finding.Rule };
        if (ruleIndex >= 0)
        {
            result["ruleIndex"] = ruleIndex;
        }

        result["level"] = Level(finding.Severity);
        result["message"] = new JsonObject { ["text"] = MessageText(finding) };
        result["locations"] = new JsonArray(location);
        result["partialFingerprints"] = new JsonObject { [FingerprintKey] = Fingerprint(manifest, model, finding, fingerprints) };
        result["properties"] = properties;
        return result;
    }

    /// <summary>The finding's message, then its fix when the message does not already carry it.</summary>
    private static string MessageText(Finding finding)
    {
        var message = finding.Message.ReplaceLineEndings(" ").Trim();
        if (!string.IsNullOrWhiteSpace(finding.Fix) && !message.Contains(finding.Fix, StringComparison.Ordinal))
        {
            message = $"{message.TrimEnd('.')}. Fix: {finding.Fix.ReplaceLineEndings(" ").Trim()}";
        }

        return message.EndsWith('.') ? message : message + ".";
    }

    /// <summary>
    /// Stable across runs and manifest edits that move lines: model, rule and site (or, for a
    /// manifest problem, rule and message); a repeated key gets an ordinal so fingerprints stay unique.
    /// </summary>
    private static string Fingerprint(string manifest, ModelReport? model, Finding finding, HashSet<string> used)
    {
        var key = model is null
            ? $"{manifest}\0{finding.Rule}\0{finding.Message}"
            : $"{manifest}\0{model.Name}\0{finding.Rule}\0{finding.Site}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var value = hash;
        for (var n = 2; !used.Add(value); n++)
        {
            value = $"{hash}:{n}";
        }

        return value;
    }

    /// <summary>A workspace-relative path as a relative URI reference: each segment percent-encoded, '/' kept.</summary>
    private static string RelativeUri(string path) =>
        string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static void AddNumber(JsonObject target, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            target[name] = v;
        }
    }

    private static string Word(Verdict verdict) => verdict.ToString().ToLowerInvariant();
}
