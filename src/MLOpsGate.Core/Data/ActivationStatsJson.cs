using System.Text.Json;

namespace MLOpsGate.Core.Data;

/// <summary>Per-unit (per-channel for convolutions) statistics of a consuming layer's output over the calibration samples.</summary>
/// <param name="Mean">The mean of each unit.</param>
/// <param name="Std">The standard deviation of each unit; as long as <paramref name="Mean"/>, finite and non-negative.</param>
public sealed record UnitStatistics(double[] Mean, double[] Std)
{
    public int UnitCount => Mean.Length;
}

/// <summary>
/// Reads reference activation statistics: <c>{"&lt;site id&gt;": {"mean": [...], "std": [...]}}</c>, one entry per dropout site
/// (keyed by the site's <c>input_of</c> or <c>tensor</c> value). Other keys inside a site's object are ignored.
/// </summary>
public static class ActivationStatsJson
{
    private const string Fix =
        "Write {\"<site id>\": {\"mean\": [...], \"std\": [...]}} with one number per unit, measured in inference mode.";

    /// <summary>Loads and validates a statistics file; <paramref name="displayName"/> (default: the path) is what messages call it.</summary>
    /// <exception cref="DataFormatException">The file cannot be read, is not valid JSON, or breaks the format (the message names the site).</exception>
    public static IReadOnlyDictionary<string, UnitStatistics> Read(string path, string? displayName = null)
    {
        var name = displayName ?? path;
        using var stream = DataFiles.OpenRead(path, name);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(
                $"{name}: not valid JSON ({e.Message}). NaN and Infinity are not JSON and not valid statistics.", e);
        }
        catch (Exception e) when (DataFiles.IsReadFailure(e))
        {
            throw DataFiles.ReadFailed(name, e);
        }

        using (document)
        {
            return Parse(document.RootElement, name);
        }
    }

    internal static IReadOnlyDictionary<string, UnitStatistics> Parse(JsonElement root, string displayName)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"{displayName}: must be a JSON object keyed by site id. {Fix}");
        }

        var result = new Dictionary<string, UnitStatistics>(StringComparer.Ordinal);
        foreach (var site in root.EnumerateObject())
        {
            if (result.ContainsKey(site.Name))
            {
                throw new DataFormatException($"{displayName}: site '{site.Name}' appears twice.");
            }

            if (site.Value.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException($"{displayName}: site '{site.Name}' is not an object with \"mean\" and \"std\". {Fix}");
            }

            var mean = ReadVector(site.Name, site.Value, "mean", displayName);
            var std = ReadVector(site.Name, site.Value, "std", displayName);
            if (mean.Length != std.Length)
            {
                throw new DataFormatException(
                    $"{displayName}: site '{site.Name}' has {mean.Length} means but {std.Length} standard deviations; they must be per unit and equally long.");
            }

            for (var i = 0; i < std.Length; i++)
            {
                if (std[i] < 0)
                {
                    throw new DataFormatException(
                        $"{displayName}: site '{site.Name}' has a negative standard deviation ({std[i]}) at unit {i}; standard deviations are never negative.");
                }
            }

            result.Add(site.Name, new UnitStatistics(mean, std));
        }

        return result;
    }

    private static double[] ReadVector(string site, JsonElement value, string property, string displayName)
    {
        if (!value.TryGetProperty(property, out var array))
        {
            throw new DataFormatException($"{displayName}: site '{site}' has no \"{property}\". {Fix}");
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException($"{displayName}: site '{site}': \"{property}\" is not an array of numbers. {Fix}");
        }

        var result = new double[array.GetArrayLength()];
        if (result.Length == 0)
        {
            throw new DataFormatException($"{displayName}: site '{site}': \"{property}\" is empty. {Fix}");
        }

        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                throw new DataFormatException(
                    $"{displayName}: site '{site}': \"{property}\"[{i}] is not a finite number; give one number per unit (a flat array). {Fix}");
            }

            result[i++] = number;
        }

        return result;
    }
}
