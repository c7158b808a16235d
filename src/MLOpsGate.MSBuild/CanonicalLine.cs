using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MLOpsGate.MSBuild;

/// <summary>The level of a canonical diagnostic line as the CLI printed it.</summary>
public enum LineLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// One canonical line of the CLI's output, `FILE(LINE,COL): error|warning|info MLGnnn: message`
/// (no subcategory, no end position).
/// </summary>
public sealed class CanonicalLine
{
    private static readonly Regex Pattern = new(
        @"^(?<file>.+?)\((?<line>\d{1,9}),(?<column>\d{1,9})\): (?<level>error|warning|info) (?<code>MLG\d{3}): (?<message>.*)$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    private CanonicalLine(string file, int line, int column, LineLevel level, string code, string message)
    {
        File = file;
        Line = line;
        Column = column;
        Level = level;
        Code = code;
        Message = message;
    }

    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    public LineLevel Level { get; }

    public string Code { get; }

    public string Message { get; }

    /// <summary>The rule's documentation, e.g. `.../docs/rules.md#mlg003`.</summary>
    public string HelpLink => RuleHelp.For(Code);

    /// <summary>Parses a canonical line; null when the line is anything else (a verdict, the summary, progress).</summary>
    public static CanonicalLine? TryParse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var match = Pattern.Match(text.TrimEnd('\r'));
        if (!match.Success)
        {
            return null;
        }

        var level = match.Groups["level"].Value switch
        {
            "error" => LineLevel.Error,
            "warning" => LineLevel.Warning,
            _ => LineLevel.Info,
        };
        return new CanonicalLine(
            match.Groups["file"].Value,
            int.Parse(match.Groups["line"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["column"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
            level,
            match.Groups["code"].Value,
            match.Groups["message"].Value);
    }
}

/// <summary>Where each code is documented.</summary>
public static class RuleHelp
{
    public const string RulesUri = "https://github.com/mlopsgate/mlopsgate/blob/main/docs/rules.md";

    public const string PackageUri = "https://github.com/mlopsgate/mlopsgate#msbuild-package";

    public static string For(string code) =>
        code.StartsWith("MLGB", StringComparison.Ordinal)
            ? PackageUri
            : RulesUri + "#" + code.ToLowerInvariant();
}
