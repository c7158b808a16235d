using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace MLOpsGate.Action.Tests.GitHubApi;

/// <summary>
/// The operations of GitHub's REST API the Action may call, from the OpenAPI subset (a copy of GitHub's
/// official description): each request body is validated against its operation's schema.
/// </summary>
public sealed class RestSubset
{
    private static readonly Lazy<RestSubset> Shared = new(() => Load(Path.Combine(AppContext.BaseDirectory, "GitHubApi", "rest-subset.json")));

    private RestSubset(IReadOnlyList<RestOperation> operations) => Operations = operations;

    public static RestSubset Instance => Shared.Value;

    public IReadOnlyList<RestOperation> Operations { get; }

    public static RestSubset Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var operations = new List<RestOperation>();
        foreach (var (key, value) in root["operations"]!.AsObject())
        {
            var parts = key.Split(' ', 2);
            var template = parts[1];
            var pattern = new Regex("^" + Regex.Replace(template, @"\{([^}]+)\}", "(?<$1>[^/]+)") + "$");
            JsonSchema? schema = null;
            JsonObject? bodySchema = null;
            if (value!["requestBody"]?["schema"] is JsonObject body)
            {
                bodySchema = (JsonObject)NullableToTypeArrays(body.DeepClone());
                schema = JsonSchema.FromText(bodySchema.ToJsonString());
            }

            operations.Add(new RestOperation(parts[0], template, value["operationId"]!.GetValue<string>(), pattern, schema, bodySchema));
        }

        return new RestSubset(operations);
    }

    public RestOperation? Find(string method, string path) =>
        Operations.FirstOrDefault(o => o.Method == method && o.Pattern.IsMatch(path));

    /// <summary>
    /// OpenAPI 3.0 schema objects are not quite JSON Schema: `{"type": T, "nullable": true}` becomes
    /// `{"type": [T, "null"]}`, and extension keys (`x-ref`) are dropped.
    /// </summary>
    public static JsonNode NullableToTypeArrays(JsonNode schema)
    {
        if (schema is JsonArray list)
        {
            foreach (var item in list)
            {
                if (item is not null)
                {
                    NullableToTypeArrays(item);
                }
            }

            return list;
        }

        if (schema is not JsonObject obj)
        {
            return schema;
        }

        if (obj["nullable"] is JsonValue nullable && nullable.GetValueKind() == JsonValueKind.True)
        {
            switch (obj["type"])
            {
                case JsonValue type:
                    obj["type"] = new JsonArray(type.GetValue<string>(), "null");
                    break;
                case null:
                    var inner = obj.DeepClone().AsObject();
                    inner.Remove("nullable");
                    obj.Clear();
                    obj["anyOf"] = new JsonArray(inner, new JsonObject { ["type"] = "null" });
                    break;
            }

            if (obj["enum"] is JsonArray values && !values.Any(v => v is null))
            {
                values.Add(null);
            }
        }

        obj.Remove("nullable");
        foreach (var (key, child) in obj.ToList())
        {
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                obj.Remove(key);
            }
            else if (key == "properties" && child is JsonObject properties)
            {
                foreach (var (_, property) in properties)
                {
                    if (property is not null)
                    {
                        NullableToTypeArrays(property);
                    }
                }
            }
            else if (child is not null && key is not ("enum" or "default" or "example" or "examples" or "const"))
            {
                NullableToTypeArrays(child);
            }
        }

        return obj;
    }
}

public sealed record RestOperation(string Method, string Template, string OperationId, Regex Pattern, JsonSchema? BodySchema, JsonObject? BodySchemaJson)
{
    /// <summary>Validates a raw request body; returns every problem (schema errors and keys the schema does not name).</summary>
    public IReadOnlyList<string> Validate(string rawBody)
    {
        if (BodySchema is null)
        {
            return rawBody.Length == 0 ? [] : [$"{OperationId} takes no body, got {rawBody.Length} characters"];
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(rawBody);
        }
        catch (JsonException exception)
        {
            return [$"{OperationId}: the body is not JSON ({exception.Message})"];
        }

        var problems = new List<string>();
        using var document = JsonDocument.Parse(rawBody);
        var result = BodySchema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!result.IsValid)
        {
            foreach (var detail in (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
            {
                foreach (var (keyword, message) in detail.Errors!)
                {
                    problems.Add($"{OperationId}: {detail.InstanceLocation} ({keyword}): {message}");
                }
            }

            if (problems.Count == 0)
            {
                problems.Add($"{OperationId}: the body does not match the schema");
            }
        }

        UnknownKeys(body, BodySchemaJson, "body", problems);
        return problems;
    }

    /// <summary>GitHub's schemas do not forbid extra keys, but a key the API does not know is a bug here.</summary>
    private void UnknownKeys(JsonNode? value, JsonObject? schema, string at, List<string> problems)
    {
        if (schema is null || value is null)
        {
            return;
        }

        switch (value)
        {
            case JsonArray array when schema["items"] is JsonObject items:
                for (int i = 0; i < array.Count; i++)
                {
                    UnknownKeys(array[i], items, $"{at}[{i}]", problems);
                }

                break;
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (key, child) in obj)
                {
                    if (properties[key] is JsonObject property)
                    {
                        UnknownKeys(child, property, $"{at}.{key}", problems);
                    }
                    else if (schema["additionalProperties"] is null)
                    {
                        problems.Add($"{OperationId}: {at}.{key} is not a key of the request schema");
                    }
                }

                break;
        }
    }
}
