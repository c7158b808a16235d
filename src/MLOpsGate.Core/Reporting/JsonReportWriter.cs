using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLOpsGate.Core.Reporting;

/// <summary>Writes the JSON report (schema/report.schema.json).</summary>
public static class JsonReportWriter
{
    public static string Serialize(GateReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.GateReport);

    public static void Write(GateReport report, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, Serialize(report) + "\n");
    }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(GateReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
