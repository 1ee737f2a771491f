using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Web.Api;

/// <summary>
/// Passwords in the configuration are write-only through the API. Any string property whose name ends in "password",
/// "secret" or "token" (SIP digest passwords, an MQTT password, a webhook secret: sections other helpers add are
/// covered without knowing them), and every value of a "headers" object (a webhook's Authorization header), is sent as
/// null; a new configuration that leaves one out or null keeps the stored value, an empty string removes it. Objects in
/// arrays are matched by their "id" (else their "url") where they have one, else by position.
/// <para>
/// Door codes (the "code" of an entry in "station.codes" and "station.keypad.localCodes") open the door, so they are
/// write-only too: sent as null with <c>"set": true</c> beside it. An entry that leaves its code out (null, missing or
/// empty: a code is removed by removing its entry) keeps the stored code of the entry with the same id; code entries are
/// never matched by position, so reordering or deleting entries cannot move a code onto another entry, and an entry
/// the station does not know (a new id, or none) must bring its code.
/// </para>
/// </summary>
internal static class ConfigSecrets
{
    private static readonly string[] SecretSuffixes = ["password", "secret", "token"];
    private const string CodeName = "code";

    // What a kept secret is bound to (issue: a stored password followed a changed server). An account's password goes to
    // its registrar/proxy for its AOR and user over its transport; the MQTT password to its broker's host and port over
    // its TLS settings. When one of these changes, the stored secret is not reused: the new configuration must bring it.
    // (Webhooks are matched by URL already: a changed URL is another entry, which brings its own secret.)
    private static readonly string[] AccountIdentity = ["aor", "registrar", "outboundProxy", "transport", "username"];
    private static readonly string[] MqttIdentity = ["host", "port", "tls"];

    // An account's TURN password goes to its TURN servers for its TURN user (accounts[].nat.turn).
    private static readonly string[] TurnIdentity = ["servers", "username"];
    private const string CodeSetName = "set";

    public static bool IsSecretName(string name)
    {
        foreach (var suffix in SecretSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The configuration as JSON with every secret set to null.</summary>
    public static JsonNode Redacted(IntercomConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config, ConfigJsonContext.Default.IntercomConfig)!;
        Redact(node);
        return node;
    }

    /// <summary>
    /// Reads a configuration sent by the page or a client, with stored secrets filled in where it left them out, and
    /// validates it. Never throws for bad input.
    /// </summary>
    public static bool TryMerge(ReadOnlySpan<byte> json, IntercomConfig current, out IntercomConfig? merged, out IReadOnlyList<ConfigError> errors)
    {
        merged = null;
        byte[] completed;
        try
        {
            var incoming = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
            if (incoming is not JsonObject)
            {
                errors = [new ConfigError("$", "expected a configuration object")];
                return false;
            }

            if (DoorCodeChanges.TooMany((JsonObject)incoming) is { Count: > 0 } tooMany)
            {
                errors = tooMany;
                return false;
            }

            var unbound = new List<ConfigError>();
            Merge(incoming, JsonSerializer.SerializeToNode(current, ConfigJsonContext.Default.IntercomConfig), unbound, "");
            if (unbound.Count > 0)
            {
                errors = unbound;
                return false;
            }

            FinishCodeEntries(incoming);
            completed = Encoding.UTF8.GetBytes(incoming.ToJsonString());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // Malformed JSON, a duplicate property name, a value of the wrong kind where an object was expected.
            errors = [new ConfigError("$", $"not a valid configuration document: {e.Message}")];
            return false;
        }

        return ConfigLoader.TryParse(completed, out merged, out errors);
    }

    private static void Redact(JsonNode? node, bool allSecret = false)
    {
        switch (node)
        {
            case JsonObject obj when !allSecret && IsCodeEntry(obj):
                obj[CodeSetName] = obj[CodeName] is JsonValue code && code.TryGetValue<string>(out var text) && text.Length > 0;
                obj[CodeName] = null;
                break;
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if ((allSecret || IsSecretName(name)) && value is JsonValue)
                    {
                        obj[name] = null;
                    }
                    else
                    {
                        Redact(value, IsHeaders(name));
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Redact(item);
                }

                break;
        }
    }

    private static bool IsHeaders(string name) => name.Equals("headers", StringComparison.OrdinalIgnoreCase);

    private static void Merge(JsonNode? incoming, JsonNode? stored, List<ConfigError> unbound, string path, bool allSecret = false)
    {
        switch (incoming, stored)
        {
            case (JsonObject obj, JsonObject old) when !allSecret && IsCodeEntry(old):
                if (IsCodeMissing(obj) && old[CodeName] is JsonValue storedCode)
                {
                    obj[CodeName] = storedCode.DeepClone();
                }

                break;
            case (JsonObject obj, JsonObject old):
                var changed = ChangedIdentity(obj, old, path);
                foreach (var (name, oldValue) in old)
                {
                    if ((allSecret || IsSecretName(name)) && oldValue is JsonValue && (!obj.TryGetPropertyValue(name, out var value) || value is null))
                    {
                        if (changed is not null)
                        {
                            unbound.Add(new ConfigError(Join(path, name), $"{changed} changed, so the stored secret is not sent there: enter it again (\"\" for none)"));
                            continue;
                        }

                        obj[name] = oldValue.DeepClone();
                    }
                }

                foreach (var (name, value) in obj.ToList())
                {
                    if ((allSecret || IsSecretName(name)) && value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0)
                    {
                        if (allSecret)
                        {
                            obj.Remove(name);
                        }
                        else
                        {
                            obj[name] = null;
                        }
                    }
                    else if (old.TryGetPropertyValue(name, out var counterpart))
                    {
                        Merge(value, counterpart, unbound, Join(path, name), IsHeaders(name));
                    }
                }

                break;
            case (JsonArray array, JsonArray old):
                for (var i = 0; i < array.Count; i++)
                {
                    Merge(array[i], Counterpart(array[i], old, i), unbound, $"{path}[{i}]");
                }

                break;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>The first identity field of an account or of "mqtt" that differs from the stored one, or null.</summary>
    private static string? ChangedIdentity(JsonObject incoming, JsonObject stored, string path)
    {
        var fields = path.StartsWith("accounts[", StringComparison.Ordinal) && !path.Contains('.', StringComparison.Ordinal) ? AccountIdentity
            : path == "mqtt" ? MqttIdentity
            : path.StartsWith("accounts[", StringComparison.Ordinal) && path.EndsWith("].nat.turn", StringComparison.Ordinal) ? TurnIdentity
            : null;
        if (fields is null)
        {
            return null;
        }

        foreach (var field in fields)
        {
            // A field the new document leaves out takes its default on load, which differs from a stored value.
            incoming.TryGetPropertyValue(field, out var now);
            stored.TryGetPropertyValue(field, out var was);
            if (!JsonNode.DeepEquals(Normalised(now), Normalised(was)))
            {
                return $"{Join(path, field)}";
            }
        }

        return null;
    }

    // null and "" are the same absent value (an account without a registrar).
    private static JsonNode? Normalised(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0 ? null : value;

    private static JsonNode? Counterpart(JsonNode? item, JsonArray old, int index)
    {
        foreach (var keyName in (ReadOnlySpan<string>)["id", "url"])
        {
            if (item is JsonObject obj && obj[keyName] is JsonValue id && id.TryGetValue<string>(out var key))
            {
                foreach (var candidate in old)
                {
                    if (candidate is JsonObject o && o[keyName] is JsonValue oid && oid.TryGetValue<string>(out var oldKey) && oldKey == key)
                    {
                        return candidate;
                    }
                }

                return null;
            }
        }

        // By position only where entries have no identity; never for a code, which would move onto another entry.
        return index < old.Count && !(old[index] is JsonObject stored && IsCodeEntry(stored)) ? old[index] : null;
    }

    // An entry of "codes" or "keypad.localCodes": the only objects of the configuration with a "code" (or, as the API
    // sends them, a "set") property.
    private static bool IsCodeEntry(JsonObject obj) => obj.ContainsKey(CodeName) || obj.ContainsKey(CodeSetName);

    private static bool IsCodeMissing(JsonObject obj) =>
        !obj.TryGetPropertyValue(CodeName, out var code) || code is null || (code is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0);

    /// <summary>
    /// After the merge: the API's "set" flag goes, and a code still missing (an entry the station did not know) is left
    /// out, so the validator names the entry ("is required") instead of the JSON reader refusing a null.
    /// </summary>
    private static void FinishCodeEntries(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj when IsCodeEntry(obj):
                obj.Remove(CodeSetName);
                if (IsCodeMissing(obj))
                {
                    obj.Remove(CodeName);
                }

                break;
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    // A header named "code" is a webhook's header, not a door code.
                    if (!IsHeaders(name))
                    {
                        FinishCodeEntries(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    FinishCodeEntries(item);
                }

                break;
        }
    }
}
