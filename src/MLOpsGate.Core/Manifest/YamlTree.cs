using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MLOpsGate.Core.Manifest;

/// <summary>What a scalar means under the YAML 1.2 core schema.</summary>
internal enum YamlScalarKind { Null, Boolean, Integer, Float, String }

/// <summary>A node of a YAML document that keeps the 1-based position where it starts.</summary>
internal abstract class YamlNode(SourceLocation start)
{
    public SourceLocation Start { get; } = start;
}

internal sealed class YamlScalarNode(SourceLocation start, string text, YamlScalarKind kind, bool plain) : YamlNode(start)
{
    /// <summary>The scalar's text as read (after unquoting).</summary>
    public string Text { get; } = text;

    public YamlScalarKind Kind { get; } = kind;

    /// <summary>True when the scalar was written without quotes or block indicators.</summary>
    public bool Plain { get; } = plain;

    public bool BooleanValue { get; init; }

    /// <summary>The numeric value of an integer or float scalar.</summary>
    public double NumberValue { get; init; }

    public bool IsNumber => Kind is YamlScalarKind.Integer or YamlScalarKind.Float;
}

/// <summary>One key and its value. Keys are scalars; a complex key is reported when the tree is read.</summary>
internal sealed record YamlEntry(YamlScalarNode Key, YamlNode Value)
{
    public string Name => Key.Text;

    public SourceLocation Location => Key.Start;
}

internal sealed class YamlMappingNode(SourceLocation start) : YamlNode(start)
{
    /// <summary>The entries in document order, each key once (the first occurrence wins).</summary>
    public List<YamlEntry> Entries { get; } = [];

    /// <summary>Later occurrences of a key already present in <see cref="Entries"/>.</summary>
    public List<YamlEntry> Duplicates { get; } = [];

    public YamlEntry? Find(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Name == key)
            {
                return entry;
            }
        }

        return null;
    }
}

internal sealed class YamlSequenceNode(SourceLocation start) : YamlNode(start)
{
    public List<YamlNode> Items { get; } = [];
}

/// <summary>The result of reading a YAML text: the single document's root (null when there is none) and
/// the problems found while reading it (syntax errors, undefined aliases, complex keys, extra documents).</summary>
internal sealed record YamlReadResult(YamlNode? Root, IReadOnlyList<ManifestProblem> Problems, bool SyntaxError);

/// <summary>Reads YAML with YamlDotNet's low-level parser into a small tree that keeps every position,
/// resolving plain scalars with the YAML 1.2 core schema (not YAML 1.1: yes/no/on/off are strings).</summary>
internal static class YamlTreeReader
{
    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    /// <summary>Far deeper than any manifest; guards the recursive reader against pathological input.</summary>
    private const int MaxDepth = 64;

    public static YamlReadResult Read(string text)
    {
        var problems = new List<ManifestProblem>();
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var parser = new Parser(new StringReader(text));
        YamlNode? root = null;
        var documents = 0;
        var lastPosition = new SourceLocation(1, 1);
        try
        {
            var reader = new EventReader(parser, problems, anchors);
            reader.Next(); // StreamStart
            while (reader.Next() && parser.Current is DocumentStart documentStart)
            {
                documents++;
                reader.Next();
                var node = reader.ReadNode();
                reader.Next(); // DocumentEnd
                if (documents == 1)
                {
                    root = node;
                }
                else if (documents == 2)
                {
                    problems.Add(new ManifestProblem(
                        "the file holds more than one YAML document (a second one starts here after '---'); " +
                        "a manifest is a single document: remove the '---' separator and everything after it, " +
                        "or merge the documents",
                        Location(documentStart.Start)));
                }

                lastPosition = Location(parser.Current?.End ?? Mark.Empty);
            }
        }
        catch (TooDeepException exception)
        {
            problems.Add(new ManifestProblem(
                $"the file nests lists and mappings more than {MaxDepth} levels deep; a manifest needs at most 6 levels: check the brackets and indentation",
                exception.At));
            return new YamlReadResult(null, problems, SyntaxError: true);
        }
        catch (YamlException exception)
        {
            var at = Location(exception.Start);
            if (exception.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndentedLine(text) is { } tabLine)
            {
                // The parser reports a tab at the start of the token it was reading, often the document's first line.
                at = tabLine;
            }

            problems.Add(new ManifestProblem(DescribeSyntaxError(exception.Message), at));
            return new YamlReadResult(null, problems, SyntaxError: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these for a few malformed inputs (e.g. an unclosed flow collection at the end).
            var at = parser.Current is { } current ? Location(current.End) : lastPosition;
            problems.Add(new ManifestProblem(
                "the file is not valid YAML: the text ends inside an unfinished value; check for an unclosed '[', '{' or quote after this point",
                at));
            return new YamlReadResult(null, problems, SyntaxError: true);
        }

        return new YamlReadResult(root, problems, SyntaxError: false);
    }

    /// <summary>The first line whose indentation holds a tab, at the tab.</summary>
    private static SourceLocation? FirstTabIndentedLine(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            int tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indentation)
            {
                return new SourceLocation(i + 1, tab + 1);
            }
        }

        return null;
    }

    internal static SourceLocation Location(Mark mark) =>
        new(Math.Max(1, (int)Math.Min(int.MaxValue, mark.Line)), Math.Max(1, (int)Math.Min(int.MaxValue, mark.Column)));

    /// <summary>Turns YamlDotNet's parser messages into a plain statement of what is wrong and how to fix it.</summary>
    internal static string DescribeSyntaxError(string parserMessage)
    {
        var message = parserMessage.Trim();
        var lower = message.ToLowerInvariant();
        string plain;
        if (lower.Contains("found invalid mapping", StringComparison.Ordinal)
            || lower.Contains("mapping values are not allowed", StringComparison.Ordinal))
        {
            plain = "a ':' appears where no key can start; either the indentation is wrong here or a value contains ': ' and must be quoted";
        }
        else if (lower.Contains("did not find expected '-' indicator", StringComparison.Ordinal))
        {
            plain = "the indentation is wrong here: this line is not aligned with the keys of the list item above it; align it with them, or start a new item with '- '";
        }
        else if (lower.Contains("did not find expected key", StringComparison.Ordinal))
        {
            plain = "the indentation is wrong here: keys of the same mapping must start in the same column";
        }
        else if (lower.Contains("quoted scalar", StringComparison.Ordinal))
        {
            plain = "a quoted value is not closed (or its continuation line is not indented); add the closing quote";
        }
        else if (lower.Contains("flow sequence", StringComparison.Ordinal))
        {
            plain = "a '[...]' list is not closed or its items are not separated by ','; add the missing ',' or ']'";
        }
        else if (lower.Contains("flow mapping", StringComparison.Ordinal))
        {
            plain = "a '{...}' mapping is not closed or its entries are not separated by ','; add the missing ',' or '}'";
        }
        else if (lower.Contains("cannot start any token", StringComparison.Ordinal))
        {
            plain = "a character here cannot start a YAML value (a tab used for indentation, or '@' or '`' at the start of a value); indent with spaces and quote such values";
        }
        else if (lower.Contains("tab", StringComparison.Ordinal))
        {
            plain = "a tab character is used for indentation; indent with spaces";
        }
        else
        {
            plain = $"{message.TrimEnd('.')}; check the indentation and quoting here";
        }

        return "the file is not valid YAML: " + plain;
    }

    /// <summary>Resolves a scalar by the YAML 1.2 core schema.</summary>
    internal static (YamlScalarKind Kind, bool Boolean, double Number) ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return (YamlScalarKind.Null, false, 0);
            case "true" or "True" or "TRUE":
                return (YamlScalarKind.Boolean, true, 0);
            case "false" or "False" or "FALSE":
                return (YamlScalarKind.Boolean, false, 0);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return (YamlScalarKind.Float, false, double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return (YamlScalarKind.Float, false, double.NegativeInfinity);
            case ".nan" or ".NaN" or ".NAN":
                return (YamlScalarKind.Float, false, double.NaN);
            default:
                break;
        }

        if (TryParseInteger(text, out var integer))
        {
            return (YamlScalarKind.Integer, false, integer);
        }

        if (IsCoreFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return (YamlScalarKind.Float, false, number);
        }

        return (YamlScalarKind.String, false, 0);
    }

    private static bool TryParseInteger(string text, out double value)
    {
        value = 0;
        if (text.Length > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'x'))
        {
            var octal = text[1] == 'o';
            double result = 0;
            for (var i = 2; i < text.Length; i++)
            {
                var digit = HexDigit(text[i]);
                if (digit < 0 || (octal && digit > 7))
                {
                    return false;
                }

                result = (result * (octal ? 8 : 16)) + digit;
            }

            value = result;
            return true;
        }

        var start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        if (start == text.Length)
        {
            return false;
        }

        for (var i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        value = double.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?</summary>
    private static bool IsCoreFloat(string text)
    {
        var i = 0;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
        {
            i++;
        }

        var intDigits = CountDigits(text, ref i);
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var fractionDigits = CountDigits(text, ref i);
            if (intDigits == 0 && fractionDigits == 0)
            {
                return false;
            }
        }
        else if (intDigits == 0)
        {
            return false;
        }

        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '-' || text[i] == '+'))
            {
                i++;
            }

            if (CountDigits(text, ref i) == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static int CountDigits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i - start;
    }

    private sealed class TooDeepException(SourceLocation at) : Exception
    {
        public SourceLocation At { get; } = at;
    }

    private sealed class EventReader(Parser parser, List<ManifestProblem> problems, Dictionary<string, YamlNode> anchors)
    {
        private int depth;

        public bool Next() => parser.MoveNext();

        /// <summary>Reads the node whose first event is current and leaves its last event current.</summary>
        public YamlNode ReadNode()
        {
            var current = parser.Current!;
            YamlNode node;
            switch (current)
            {
                case AnchorAlias alias:
                    if (anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        return target;
                    }

                    problems.Add(new ManifestProblem(
                        $"the alias '*{alias.Value.Value}' refers to no anchor defined before it; define '&{alias.Value.Value}' earlier or write the value out",
                        Location(alias.Start)));
                    return new YamlScalarNode(Location(alias.Start), "", YamlScalarKind.Null, plain: true);
                case Scalar scalar:
                    node = ReadScalar(scalar);
                    Remember(scalar, node);
                    return node;
                case SequenceStart sequenceStart:
                {
                    var sequence = new YamlSequenceNode(Location(sequenceStart.Start));
                    Remember(sequenceStart, sequence);
                    Enter(sequence.Start);
                    while (Next() && parser.Current is not SequenceEnd)
                    {
                        sequence.Items.Add(ReadNode());
                    }

                    depth--;
                    return sequence;
                }

                case MappingStart mappingStart:
                {
                    var mapping = new YamlMappingNode(Location(mappingStart.Start));
                    Remember(mappingStart, mapping);
                    Enter(mapping.Start);
                    while (Next() && parser.Current is not MappingEnd)
                    {
                        var keyNode = ReadNode();
                        Next();
                        var value = ReadNode();
                        if (keyNode is not YamlScalarNode key)
                        {
                            problems.Add(new ManifestProblem(
                                "a key here is a list or a mapping; keys in a manifest are plain names such as 'name' or 'artifact'",
                                keyNode.Start));
                            continue;
                        }

                        var entry = new YamlEntry(key, value);
                        if (mapping.Find(key.Text) is null)
                        {
                            mapping.Entries.Add(entry);
                        }
                        else
                        {
                            mapping.Duplicates.Add(entry);
                        }
                    }

                    depth--;
                    return mapping;
                }

                default:
                    throw new InvalidOperationException($"unexpected YAML event {current.GetType().Name}");
            }
        }

        private void Enter(SourceLocation at)
        {
            if (++depth > MaxDepth)
            {
                throw new TooDeepException(at);
            }
        }

        private void Remember(NodeEvent nodeEvent, YamlNode node)
        {
            if (!nodeEvent.Anchor.IsEmpty)
            {
                anchors[nodeEvent.Anchor.Value] = node;
            }
        }

        private YamlScalarNode ReadScalar(Scalar scalar)
        {
            var start = Location(scalar.Start);
            var plain = scalar.Style == ScalarStyle.Plain;
            var tag = scalar.Tag;
            if (tag.IsEmpty || tag.IsNonSpecific)
            {
                if (plain && scalar.IsPlainImplicit)
                {
                    var (kind, boolean, number) = ResolvePlain(scalar.Value);
                    return new YamlScalarNode(start, scalar.Value, kind, plain) { BooleanValue = boolean, NumberValue = number };
                }

                return new YamlScalarNode(start, scalar.Value, YamlScalarKind.String, plain);
            }

            var tagName = tag.Value;
            if (tagName.StartsWith(YamlTagPrefix, StringComparison.Ordinal))
            {
                var wanted = tagName[YamlTagPrefix.Length..];
                if (wanted == "str")
                {
                    return new YamlScalarNode(start, scalar.Value, YamlScalarKind.String, plain);
                }

                var (kind, boolean, number) = ResolvePlain(scalar.Value);
                var matches = wanted switch
                {
                    "null" => kind == YamlScalarKind.Null,
                    "bool" => kind == YamlScalarKind.Boolean,
                    "int" => kind == YamlScalarKind.Integer,
                    "float" => kind is YamlScalarKind.Float or YamlScalarKind.Integer,
                    _ => false,
                };
                if (matches)
                {
                    if (wanted == "float")
                    {
                        kind = YamlScalarKind.Float;
                    }

                    return new YamlScalarNode(start, scalar.Value, kind, plain) { BooleanValue = boolean, NumberValue = number };
                }

                problems.Add(new ManifestProblem(
                    $"the value '{scalar.Value}' does not match its tag '!!{wanted}'; remove the tag",
                    start));
                return new YamlScalarNode(start, scalar.Value, YamlScalarKind.String, plain);
            }

            problems.Add(new ManifestProblem(
                $"the tag '{tagName}' is not supported in a manifest; remove it",
                start));
            return new YamlScalarNode(start, scalar.Value, YamlScalarKind.String, plain);
        }
    }
}
