using System.Text.Json;
using Intercom.Station.Configuration;

namespace Intercom.Configuration;

/// <summary>Reads a configuration from JSON and validates it; never throws for bad input, it says what is wrong.</summary>
public static class ConfigLoader
{
    /// <summary>Largest configuration file accepted; a real one is a few kilobytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Parses and validates; <paramref name="runsForReal"/> also refuses example secrets (<see cref="ConfigValidator.Validate"/>).</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out IntercomConfig? config, out IReadOnlyList<ConfigError> errors, bool runsForReal = false)
    {
        config = null;
        if (json.Length > MaxFileBytes)
        {
            errors = [new ConfigError("$", $"file is larger than {MaxFileBytes} bytes")];
            return false;
        }

        try
        {
            config = JsonSerializer.Deserialize(json, ConfigJsonContext.Default.IntercomConfig);
        }
        catch (JsonException e)
        {
            errors = [new ConfigError(JsonPathToField(e.Path), DescribeJsonError(e))];
            return false;
        }

        // The serializer accepts null as a list element ("codes": [null]), which no list of the model holds.
        if (NullInList(json) is { } nullEntry)
        {
            config = null;
            errors = [new ConfigError(nullEntry, "null is not a valid entry")];
            return false;
        }

        if (config is null)
        {
            errors = [new ConfigError("$", "the file holds null instead of a configuration object")];
            return false;
        }

        // Files written before code entries had ids still load: their entries are named by position.
        CodeIds.AssignMissing(config.Station);
        errors = ConfigValidator.Validate(config, runsForReal);
        if (errors.Count > 0)
        {
            config = null;
            return false;
        }

        return true;
    }

    public static bool TryLoad(string path, out IntercomConfig? config, out IReadOnlyList<ConfigError> errors, bool runsForReal = false)
    {
        config = null;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                errors = [new ConfigError("$", $"{path} is larger than {MaxFileBytes} bytes")];
                return false;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors = [new ConfigError("$", $"cannot read {path}: {e.Message}")];
            return false;
        }

        return TryParse(bytes, out config, out errors, runsForReal);
    }

    public static string Serialize(IntercomConfig config) => JsonSerializer.Serialize(config, ConfigJsonContext.Default.IntercomConfig);

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// The path of the first null that is an element of a list, or null. One pass of the reader over JSON the serializer has
    /// already accepted (so it is well formed), keeping only the path of open containers.
    /// </summary>
    private static string? NullInList(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var path = new List<string>();  // one segment per open container, ".name" or "[i]" (empty for the root)
        var nextIndex = new List<int>(); // per open container: the next element's index, -1 for an object
        string name = "";
        while (reader.Read())
        {
            var inArray = nextIndex.Count > 0 && nextIndex[^1] >= 0;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = reader.GetString()!;
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    path.RemoveAt(path.Count - 1);
                    nextIndex.RemoveAt(nextIndex.Count - 1);
                    continue;
            }

            // A value: the element of a list, the value of a property, or the root. Segments are made only for containers.
            var container = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
            if (inArray)
            {
                var index = nextIndex[^1]++;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return (string.Concat(path) + $"[{index}]").TrimStart('.');
                }

                if (container)
                {
                    path.Add($"[{index}]");
                }
            }
            else if (container)
            {
                path.Add(nextIndex.Count > 0 ? "." + name : "");
            }

            if (container)
            {
                nextIndex.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
            }
        }

        return null;
    }

    // System.Text.Json reports "$.accounts[0].expires"; installers read "accounts[0].expires".
    private static string JsonPathToField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string DescribeJsonError(JsonException e)
    {
        // The exception message repeats the path and position; keep the reason and the line so the installer can find it.
        var message = e.Message;
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            message = "given twice in one object";
        }
        else if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            message = "unknown field (misspelt, or not valid at this place)";
        }
        else if (message.Contains("could not be converted to System.", StringComparison.Ordinal))
        {
            message = message.Contains("System.Int32", StringComparison.Ordinal) ? "expected a whole number"
                : message.Contains("System.Boolean", StringComparison.Ordinal) ? "expected true or false"
                : message.Contains("System.String", StringComparison.Ordinal) ? "expected a string"
                : "has the wrong type";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return e.LineNumber is { } line ? $"{message} (line {line + 1})" : message;
    }
}
