namespace MLOpsGate.Core.Manifest;

/// <summary>Every key of manifest v1, by the mapping it belongs to, and "did you mean" suggestions.</summary>
internal static class ManifestKeys
{
    public const string RootPath = "";
    public const string DefaultsPath = "defaults";
    public const string DefaultsTolerancePath = "defaults.tolerance";
    public const string ModelPath = "models[]";
    public const string DropoutPath = "models[].dropout";
    public const string SitePath = "models[].dropout.sites[]";
    public const string CalibrationPath = "models[].calibration";
    public const string ExpectPath = "models[].expect";
    public const string ExpectTolerancePath = "models[].expect.tolerance";
    public const string SaturationPath = "models[].expect.saturation";

    private const string ModelPrefix = ModelPath + ".";

    /// <summary>Mapping path → its keys in the order the documentation lists them.</summary>
    public static IReadOnlyDictionary<string, string[]> Keys { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [RootPath] = ["version", "defaults", "models"],
        [DefaultsPath] = ["severity", "tolerance"],
        [DefaultsTolerancePath] = ["rtol", "atol"],
        [ModelPath] = ["name", "severity", "artifact", "framework", "dropout", "calibration", "expect"],
        [DropoutPath] = ["convention", "sites", "compensation"],
        [SitePath] = ["input_of", "tensor", "rate", "keep", "active_at_inference"],
        [CalibrationPath] = ["inputs", "batch_size", "limit"],
        [ExpectPath] = ["outputs", "tolerance", "activations", "checkpoint", "deterministic", "saturation"],
        [ExpectTolerancePath] = ["rtol", "atol"],
        [SaturationPath] = ["max_increase"],
    };

    private static readonly string[] AllKeyPaths = BuildAllKeyPaths();

    public static bool IsAllowed(string mappingPath, string key) => Array.IndexOf(Keys[mappingPath], key) >= 0;

    /// <summary>The key the writer most likely meant, as a path relative to the mapping (or to the model,
    /// or to the top level, when it belongs elsewhere), or null when nothing is close.</summary>
    public static string? Suggest(string mappingPath, string unknownKey)
    {
        var own = Keys[mappingPath];
        var wanted = Normalize(unknownKey);
        if (wanted.Length == 0)
        {
            return null;
        }

        // 1. The same key written with another case or separator (Artifact, batch-size, batchSize).
        foreach (var key in own)
        {
            if (Normalize(key) == wanted)
            {
                return key;
            }
        }

        // 2. A key that exists, but deeper (sites → dropout.sites) or elsewhere (inputs under expect → calibration.inputs).
        var descendants = Descendants(mappingPath).ToList();
        var deeper = descendants.Where(d => Normalize(LastSegment(d)) == wanted).OrderBy(d => d.Length).FirstOrDefault();
        if (deeper is not null)
        {
            return deeper;
        }

        var elsewhere = AllKeyPaths
            .Where(p => Normalize(LastSegment(p)) == wanted)
            .Select(p => Display(mappingPath, p))
            .OrderBy(p => p.StartsWith(ModelPrefix, StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(p => p.Length)
            .FirstOrDefault();
        if (elsewhere is not null)
        {
            return elsewhere;
        }

        // 3. A misspelling of one of this mapping's keys, then of a deeper one.
        return Closest(wanted, own, k => k) ?? Closest(wanted, descendants, LastSegment);
    }

    /// <summary>The allowed value closest to <paramref name="value"/>, or null.</summary>
    public static string? SuggestValue(string value, IReadOnlyList<string> allowed)
    {
        var wanted = Normalize(value);
        foreach (var candidate in allowed)
        {
            if (Normalize(candidate) == wanted)
            {
                return candidate;
            }
        }

        return wanted.Length == 0 ? null : Closest(wanted, allowed, v => v);
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string? Closest(string wanted, IEnumerable<string> candidates, Func<string, string> nameOf)
    {
        string? best = null;
        var bestScore = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var name = Normalize(nameOf(candidate));
            var distance = Distance(wanted, name);
            int score;
            if (distance <= 2 && distance < wanted.Length)
            {
                score = distance;
            }
            else if (Math.Min(wanted.Length, name.Length) >= 3
                     && (name.StartsWith(wanted, StringComparison.Ordinal) || wanted.StartsWith(name, StringComparison.Ordinal)))
            {
                score = 3;
            }
            else
            {
                continue;
            }

            if (score < bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    private static IEnumerable<string> Descendants(string mappingPath)
    {
        var prefix = mappingPath.Length == 0 ? string.Empty : mappingPath + ".";
        foreach (var path in AllKeyPaths)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length)
            {
                var relative = path[prefix.Length..];
                if (relative.Contains('.', StringComparison.Ordinal))
                {
                    yield return relative;
                }
            }
        }
    }

    private static string Display(string mappingPath, string fullKeyPath) =>
        mappingPath.StartsWith(ModelPath, StringComparison.Ordinal) && fullKeyPath.StartsWith(ModelPrefix, StringComparison.Ordinal)
            ? fullKeyPath[ModelPrefix.Length..]
            : fullKeyPath;

    private static string LastSegment(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    private static string Normalize(string key)
    {
        Span<char> buffer = stackalloc char[Math.Min(key.Length, 256)];
        var length = 0;
        foreach (var c in key)
        {
            if (c is '_' or '-' or ' ' || length == buffer.Length)
            {
                continue;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        return new string(buffer[..length]);
    }

    private static string[] BuildAllKeyPaths()
    {
        var paths = new List<string>();
        foreach (var (mapping, keys) in Keys)
        {
            foreach (var key in keys)
            {
                paths.Add(mapping.Length == 0 ? key : mapping + "." + key);
            }
        }

        return [.. paths];
    }
}
