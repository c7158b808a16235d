using System.Globalization;
using System.Text;

namespace MLOpsGate.Core.Data;

/// <summary>
/// A parser for the Python literal subset that NPY headers use: dicts, tuples, lists, strings, integers, True/False/None.
/// Values come back as <see cref="Dictionary{TKey, TValue}"/> (string keys), <see cref="PythonSequence"/>, string, long, bool or null.
/// </summary>
internal sealed class PythonLiteral
{
    private const int MaxDepth = 32;
    private readonly string _text;
    private int _pos;

    private PythonLiteral(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/> as one literal; throws <see cref="FormatException"/> describing the problem.</summary>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser._pos != text.Length)
        {
            throw parser.Error("unexpected text after the literal");
        }

        return value;
    }

    private object? ParseValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("nesting too deep");
        }

        SkipWhitespace();
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end");
        }

        var c = _text[_pos];
        switch (c)
        {
            case '{':
                return ParseDict(depth);
            case '(':
                return ParseSequence(')', isTuple: true, depth);
            case '[':
                return ParseSequence(']', isTuple: false, depth);
            case '\'' or '"':
                return ParseString();
            default:
                if (c is '-' or '+' || char.IsAsciiDigit(c))
                {
                    return ParseInteger();
                }

                if (char.IsAsciiLetter(c))
                {
                    var start = _pos;
                    while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
                    {
                        _pos++;
                    }

                    return _text[start.._pos] switch
                    {
                        "True" => true,
                        "False" => false,
                        "None" => null,
                        var word => throw Error($"unexpected name '{word}'"),
                    };
                }

                throw Error($"unexpected character '{c}'");
        }
    }

    private Dictionary<string, object?> ParseDict(int depth)
    {
        _pos++; // {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '}')
            {
                _pos++;
                return result;
            }

            if (ParseValue(depth + 1) is not string key)
            {
                throw Error("dict keys must be strings");
            }

            SkipWhitespace();
            Expect(':');
            result[key] = ParseValue(depth + 1);
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            SkipWhitespace();
            Expect('}');
            return result;
        }
    }

    private PythonSequence ParseSequence(char close, bool isTuple, int depth)
    {
        _pos++; // ( or [
        var items = new List<object?>();
        var sawComma = false;
        while (true)
        {
            SkipWhitespace();
            if (Peek() == close)
            {
                _pos++;
                if (isTuple && items.Count == 1 && !sawComma)
                {
                    throw Error("a parenthesised value without a comma is not a tuple");
                }

                return new PythonSequence(items, isTuple);
            }

            items.Add(ParseValue(depth + 1));
            sawComma = false;
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                sawComma = true;
                continue;
            }

            SkipWhitespace();
            Expect(close);
            if (isTuple && items.Count == 1)
            {
                throw Error("a parenthesised value without a comma is not a tuple");
            }

            return new PythonSequence(items, isTuple);
        }
    }

    private string ParseString()
    {
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_pos++];
            if (c == quote)
            {
                return sb.ToString();
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var e = _text[_pos++];
            switch (e)
            {
                case '\\' or '\'' or '"':
                    sb.Append(e);
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case '0':
                    sb.Append('\0');
                    break;
                case 'x':
                    sb.Append((char)ParseHex(2));
                    break;
                case 'u':
                    sb.Append((char)ParseHex(4));
                    break;
                case 'U':
                    sb.Append(char.ConvertFromUtf32(ParseHex(8)));
                    break;
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }
    }

    private int ParseHex(int digits)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error("bad escape in string");
        }

        _pos += digits;
        return value;
    }

    private long ParseInteger()
    {
        var start = _pos;
        if (_text[_pos] is '-' or '+')
        {
            _pos++;
        }

        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        var digits = _text[start.._pos].Replace("_", string.Empty, StringComparison.Ordinal);

        // Python 2 wrote long integers with an L suffix.
        if (_pos < _text.Length && _text[_pos] is 'L' or 'l')
        {
            _pos++;
        }

        if (_pos < _text.Length && (_text[_pos] is '.' or 'e' or 'E' || char.IsAsciiLetter(_text[_pos])))
        {
            throw Error("only integer numbers are expected");
        }

        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"bad integer '{digits}'");
        }

        return value;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error(_pos < _text.Length ? $"expected '{c}' but found '{_text[_pos]}'" : $"expected '{c}' but the text ended");
        }

        _pos++;
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private FormatException Error(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{what} at character {_pos + 1}"));
}

/// <summary>A parsed Python tuple or list.</summary>
internal sealed record PythonSequence(IReadOnlyList<object?> Items, bool IsTuple);
