using System.Text.Json;

namespace MLOpsGate.Action.GitHub;

/// <summary>
/// The parts of the event payload (GITHUB_EVENT_PATH) the Action uses. On `pull_request` runs GITHUB_SHA is the
/// merge commit, so the check run goes on `pull_request.head.sha`.
/// </summary>
internal sealed record EventPayload(int? PullRequestNumber, string? HeadSha)
{
    public static EventPayload Empty { get; } = new(null, null);

    /// <summary>Reads the event file; a missing or unreadable file gives <see cref="Empty"/> (the Action then works on GITHUB_SHA).</summary>
    public static EventPayload Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return Parse(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            return Empty;
        }
    }

    public static EventPayload Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pull_request", out var pr) || pr.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        int? number = pr.TryGetProperty("number", out var n) && n.TryGetInt32(out var value) ? value
            : root.TryGetProperty("number", out var top) && top.TryGetInt32(out var topValue) ? topValue
            : null;
        string? sha = pr.TryGetProperty("head", out var head) && head.ValueKind == JsonValueKind.Object &&
            head.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()
            : null;
        return new EventPayload(number, sha);
    }
}
