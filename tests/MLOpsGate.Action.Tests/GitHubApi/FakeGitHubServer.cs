using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace MLOpsGate.Action.Tests.GitHubApi;

/// <summary>One request the server received.</summary>
public sealed record RecordedCall(string Method, string RawPath, string Path, string? Operation, string Body, string? ContentType, string? Authorization, int Status)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    public override string ToString() => $"{Method} {RawPath} -> {Status}";
}

/// <summary>A canned answer that replaces the normal one for the next matching request(s).</summary>
public sealed record Fault(string Method, string Template, int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static Fault BadGateway(string method, string template) =>
        new(method, template, 502, "<html><body>502 Bad Gateway</body></html>");

    public static Fault ResourceNotAccessible(string method, string template) =>
        new(method, template, 403, """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}""");

    public static Fault SecondaryRateLimit(string method, string template, int status, IReadOnlyDictionary<string, string> headers) =>
        new(method, template, status, """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com"}""", headers);
}

/// <summary>
/// A local GitHub REST API on loopback that speaks the endpoints the Action uses (check runs, issue comments),
/// keeps their state across runs, reads raw bodies (Octokit labels its JSON as form-urlencoded), validates every
/// body against the REST subset's request schemas, and records every call. Faults can be queued per endpoint.
/// </summary>
public sealed class FakeGitHubServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly ConcurrentQueue<RecordedCall> calls = new();
    private readonly ConcurrentQueue<string> invalid = new();
    private readonly List<Fault> faults = [];
    private readonly Dictionary<long, JsonObject> checkRuns = [];
    private readonly Dictionary<long, JsonObject> comments = [];
    private readonly object gate = new();
    private long nextId = 1000;

    /// <param name="pathPrefix">A prefix the API lives under, e.g. "/api/v3" for GitHub Enterprise Server.</param>
    public FakeGitHubServer(string pathPrefix = "")
    {
        PathPrefix = pathPrefix.TrimEnd('/');
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string PathPrefix { get; }

    /// <summary>The API URL as the runner would give it in GITHUB_API_URL.</summary>
    public string ApiUrl => $"http://127.0.0.1:{Port}{PathPrefix}";

    /// <summary>When set, every write answers 403 "Resource not accessible by integration" (a fork's read-only token).</summary>
    public bool ReadOnlyToken { get; set; }

    public IReadOnlyList<RecordedCall> Calls => calls.ToList();

    /// <summary>Every schema problem of every request body so far (must stay empty).</summary>
    public IReadOnlyList<string> ValidationErrors => invalid.ToList();

    public IReadOnlyList<JsonObject> CheckRuns
    {
        get
        {
            lock (gate)
            {
                return checkRuns.Values.Select(c => (JsonObject)c.DeepClone()).ToList();
            }
        }
    }

    public IReadOnlyList<JsonObject> Comments
    {
        get
        {
            lock (gate)
            {
                return comments.Values.Select(c => (JsonObject)c.DeepClone()).ToList();
            }
        }
    }

    /// <summary>Fails with every problem when a request body broke its schema or a request missed the subset.</summary>
    public void AssertEveryRequestValid()
    {
        var errors = ValidationErrors;
        Assert.True(errors.Count == 0, $"{errors.Count} invalid requests:\n" + string.Join("\n", errors));
    }

    public IEnumerable<RecordedCall> CallsTo(string operationId) => Calls.Where(c => c.Operation == operationId);

    public void Enqueue(Fault fault)
    {
        lock (gate)
        {
            faults.Add(fault);
        }
    }

    /// <summary>Adds a comment as if someone had written it (to test that only the marked one is touched).</summary>
    public long SeedComment(int issue, string body)
    {
        lock (gate)
        {
            var id = ++nextId;
            comments[id] = Comment(id, issue, body);
            return id;
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(context);
            }
            catch (Exception exception)
            {
                invalid.Enqueue($"the fake server failed on {context.Request.HttpMethod} {context.Request.RawUrl}: {exception}");
                Respond(context.Response, 500, """{"message":"fake server error"}""", null);
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = reader.ReadToEnd();
        }

        var rawPath = request.RawUrl ?? "/";
        var path = rawPath.Split('?', 2)[0];
        var method = request.HttpMethod;
        RestOperation? operation = null;
        if (path.StartsWith(PathPrefix + "/", StringComparison.Ordinal))
        {
            operation = RestSubset.Instance.Find(method, path[PathPrefix.Length..]);
        }

        int status;
        string responseBody;
        IReadOnlyDictionary<string, string>? headers = null;
        if (operation is null)
        {
            (status, responseBody) = (404, """{"message":"Not Found"}""");
            invalid.Enqueue($"{method} {rawPath} is not an operation of the REST subset (under '{PathPrefix}/')");
        }
        else
        {
            foreach (var problem in operation.Validate(body))
            {
                invalid.Enqueue($"{method} {rawPath}: {problem}");
            }

            var fault = TakeFault(method, operation.Template);
            if (fault is not null)
            {
                (status, responseBody, headers) = (fault.Status, fault.Body, fault.Headers);
            }
            else if (ReadOnlyToken && method != "GET")
            {
                (status, responseBody) = (403, Fault.ResourceNotAccessible(method, operation.Template).Body);
            }
            else
            {
                var match = operation.Pattern.Match(path[PathPrefix.Length..]);
                (status, responseBody) = Answer(operation.OperationId, match.Groups, body, request.QueryString["page"]);
            }
        }

        calls.Enqueue(new RecordedCall(method, rawPath, path, operation?.OperationId, body, request.ContentType, request.Headers["Authorization"], status));
        Respond(context.Response, status, responseBody, headers);
    }

    private Fault? TakeFault(string method, string template)
    {
        lock (gate)
        {
            var fault = faults.FirstOrDefault(f => f.Method == method && f.Template == template);
            if (fault is not null)
            {
                faults.Remove(fault);
            }

            return fault;
        }
    }

    private (int Status, string Body) Answer(string operationId, System.Text.RegularExpressions.GroupCollection route, string body, string? page)
    {
        lock (gate)
        {
            switch (operationId)
            {
                case "checks/create":
                {
                    var input = JsonNode.Parse(body)!.AsObject();
                    var id = ++nextId;
                    var run = new JsonObject
                    {
                        ["id"] = id,
                        ["name"] = input["name"]?.DeepClone(),
                        ["head_sha"] = input["head_sha"]?.DeepClone(),
                        ["status"] = input["status"]?.DeepClone() ?? "queued",
                        ["conclusion"] = input["conclusion"]?.DeepClone(),
                        ["output"] = new JsonObject
                        {
                            ["title"] = input["output"]?["title"]?.DeepClone(),
                            ["summary"] = input["output"]?["summary"]?.DeepClone(),
                            ["text"] = input["output"]?["text"]?.DeepClone(),
                            ["annotations_count"] = 0,
                        },
                        ["annotations"] = new JsonArray(),
                    };
                    Append(run, input);
                    checkRuns[id] = run;
                    return (201, Public(run));
                }

                case "checks/update":
                {
                    var id = long.Parse(route["check_run_id"].Value, CultureInfo.InvariantCulture);
                    if (!checkRuns.TryGetValue(id, out var run))
                    {
                        return (404, """{"message":"Not Found"}""");
                    }

                    var input = JsonNode.Parse(body)!.AsObject();
                    foreach (var key in new[] { "status", "conclusion", "name" })
                    {
                        if (input[key] is { } value)
                        {
                            run[key] = value.DeepClone();
                        }
                    }

                    if (input["conclusion"] is not null)
                    {
                        run["status"] = "completed";
                    }

                    Append(run, input);
                    return (200, Public(run));
                }

                case "issues/list-comments":
                {
                    var issue = int.Parse(route["issue_number"].Value, CultureInfo.InvariantCulture);
                    // one page of everything: pages after the first are empty
                    var list = page is null or "1"
                        ? new JsonArray(comments.Values.Where(c => c["issue"]!.GetValue<int>() == issue).Select(c => (JsonNode)PublicComment(c)).ToArray())
                        : [];
                    return (200, list.ToJsonString());
                }

                case "issues/create-comment":
                {
                    var issue = int.Parse(route["issue_number"].Value, CultureInfo.InvariantCulture);
                    var id = ++nextId;
                    comments[id] = Comment(id, issue, JsonNode.Parse(body)!["body"]!.GetValue<string>());
                    return (201, PublicComment(comments[id]).ToJsonString());
                }

                case "issues/update-comment":
                {
                    var id = long.Parse(route["comment_id"].Value, CultureInfo.InvariantCulture);
                    if (!comments.TryGetValue(id, out var comment))
                    {
                        return (404, """{"message":"Not Found"}""");
                    }

                    comment["body"] = JsonNode.Parse(body)!["body"]!.GetValue<string>();
                    comment["updates"] = comment["updates"]!.GetValue<int>() + 1;
                    return (200, PublicComment(comment).ToJsonString());
                }

                default:
                    return (404, """{"message":"Not Found"}""");
            }
        }
    }

    private static void Append(JsonObject run, JsonObject input)
    {
        if (input["output"] is JsonObject output)
        {
            foreach (var key in new[] { "title", "summary", "text" })
            {
                if (output[key] is { } value)
                {
                    run["output"]![key] = value.DeepClone();
                }
            }

            if (output["annotations"] is JsonArray annotations)
            {
                var all = run["annotations"]!.AsArray();
                foreach (var annotation in annotations)
                {
                    all.Add(annotation?.DeepClone());
                }

                run["output"]!["annotations_count"] = all.Count;
            }
        }
    }

    private static string Public(JsonObject run)
    {
        var copy = (JsonObject)run.DeepClone();
        copy.Remove("annotations");
        return copy.ToJsonString();
    }

    private static JsonObject Comment(long id, int issue, string body) => new()
    {
        ["id"] = id,
        ["issue"] = issue,
        ["body"] = body,
        ["updates"] = 0,
    };

    private static JsonObject PublicComment(JsonObject comment) => new()
    {
        ["id"] = comment["id"]!.DeepClone(),
        ["body"] = comment["body"]!.DeepClone(),
        ["html_url"] = $"https://github.com/octo/repo/pull/{comment["issue"]}#issuecomment-{comment["id"]}",
        ["user"] = new JsonObject { ["login"] = "github-actions[bot]", ["type"] = "Bot" },
        ["created_at"] = "2025-01-01T00:00:00Z",
        ["updated_at"] = "2025-01-01T00:00:00Z",
    };

    private static void Respond(HttpListenerResponse response, int status, string body, IReadOnlyDictionary<string, string>? headers)
    {
        try
        {
            response.StatusCode = status;
            response.ContentType = body.StartsWith('<') ? "text/html" : "application/json; charset=utf-8";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentLength64 = bytes.Length;
            response.OutputStream.Write(bytes);
            response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or IOException)
        {
            // the client went away
        }
    }
}
