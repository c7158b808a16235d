using System.Text;

namespace MLOpsGate.Action.Workflow;

/// <summary>
/// Appends step outputs to GITHUB_OUTPUT with the runner's rules, each as `NAME&lt;&lt;DELIMITER`, the value's
/// lines, `DELIMITER` (the runner's multi-line form), the delimiter random and absent from the value.
/// </summary>
internal static class OutputsFile
{
    public static string Format(IEnumerable<(string Name, string Value)> outputs)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in outputs)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains("<<", StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{name}' is not a valid output name", nameof(outputs));
            }

            // Always the delimited form: a value may hold '=', '<<' or line breaks; the delimiter is random and absent from it.
            string delimiter;
            do
            {
                delimiter = "ghadelimiter_" + Guid.NewGuid().ToString("N");
            }
            while (value.Contains(delimiter, StringComparison.Ordinal));

            text.Append(name).Append("<<").Append(delimiter).Append('\n')
                .Append(value.ReplaceLineEndings("\n")).Append('\n')
                .Append(delimiter).Append('\n');
        }

        return text.ToString();
    }

    public static void Append(string path, IEnumerable<(string Name, string Value)> outputs) =>
        File.AppendAllText(path, Format(outputs), new UTF8Encoding(false));
}
