namespace MLOpsGate.Action.Tests;

/// <summary>
/// Reads GITHUB_OUTPUT the way the runner does (actions/runner FileCommandManager): `NAME=VALUE`, or
/// `NAME&lt;&lt;DELIMITER` … `DELIMITER`; an empty name, an empty delimiter, a line of neither form or a missing
/// closing delimiter fails the step.
/// </summary>
public static class RunnerFileCommands
{
    public static Dictionary<string, string> ParseOutputs(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (int i = 0; i < count; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            int heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            if (equals >= 0 && (heredoc < 0 || equals < heredoc))
            {
                var name = line[..equals];
                if (name.Length == 0)
                {
                    throw new FormatException($"Invalid format '{line}'. Name must not be empty");
                }

                result[name] = line[(equals + 1)..];
            }
            else if (heredoc >= 0)
            {
                var name = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                if (name.Length == 0 || delimiter.Length == 0)
                {
                    throw new FormatException($"Invalid format '{line}'. Name must not be empty and delimiter must not be empty");
                }

                var value = new List<string>();
                for (i++; ; i++)
                {
                    if (i >= count)
                    {
                        throw new FormatException($"Invalid value. Matching delimiter not found '{delimiter}'");
                    }

                    var next = lines[i].TrimEnd('\r');
                    if (next == delimiter)
                    {
                        break;
                    }

                    value.Add(next);
                }

                result[name] = string.Join("\n", value);
            }
            else
            {
                throw new FormatException($"Invalid format '{line}'");
            }
        }

        return result;
    }
}
