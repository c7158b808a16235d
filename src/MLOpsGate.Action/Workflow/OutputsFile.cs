using System.Text;

namespace MLOpsGate.Action.Workflow;

/// <summary>
/// Appends step outputs to GITHUB_OUTPUT with the runner's rules: `NAME=VALUE` for a one-line value,
/// `NAME&lt;&lt;DELIMITER` … `DELIMITER` for a multi-line one, the delimiter random and absent from the value.
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

            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
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
            else
            {
                text.Append(name).Append('=').Append(value).Append('\n');
            }
        }

        return text.ToString();
    }

    public static void Append(string path, IEnumerable<(string Name, string Value)> outputs) =>
        File.AppendAllText(path, Format(outputs), new UTF8Encoding(false));
}
