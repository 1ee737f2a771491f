using System.Text.Json;
using System.Text.Json.Nodes;
using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Web.Api;

/// <summary>
/// Door codes kept out of reach of the API (README "Web page and API"): a configuration may hold at most
/// <see cref="MaxEntries"/> entries of each kind (so one request cannot carry thousands of probe codes), a change to any
/// code entry needs the logged-in page and the admin password re-entered (WebApi), and a refusal never names or locates
/// a stored code: the validator's errors that compare codes with one another (the same code, one beginning with
/// another), with the keypad's keys, with an id or an apartment are folded into one sentence that names no entry.
/// Otherwise a configuration with probe codes beside the stored ones would read back which probe equals a stored code.
/// </summary>
internal static class DoorCodeChanges
{
    public const int MaxEntries = 64;

    /// <summary>The one error that stands for every comparison with a code.</summary>
    public static readonly ConfigError Clash = new("station.codes",
        "a code clashes with another code (the same, or one begins with the other), with the keypad's call or clear key, "
        + "or with an id or apartment; which one is not said, so that no answer tells a stored code");

    // Reasons (StationConfigValidator) whose wording or position depends on another entry's code.
    private static readonly string[] ComparingReasons =
    [
        "is the same as ",
        "begins with the other",
        "contains the call or clear key",
        "must not contain the code",
        "begins with a local code",
    ];

    /// <summary>Errors for lists of code entries longer than <see cref="MaxEntries"/>, checked on the document as sent.</summary>
    public static IReadOnlyList<ConfigError> TooMany(JsonObject incoming)
    {
        var errors = new List<ConfigError>();
        if (incoming["station"] is not JsonObject station)
        {
            return errors;
        }

        if (station["codes"] is JsonArray codes && codes.Count > MaxEntries)
        {
            errors.Add(new("station.codes", $"at most {MaxEntries} entries"));
        }

        if (station["keypad"] is JsonObject keypad && keypad["localCodes"] is JsonArray local && local.Count > MaxEntries)
        {
            errors.Add(new("station.keypad.localCodes", $"at most {MaxEntries} entries"));
        }

        return errors;
    }

    /// <summary>True when any code entry (its id, code or relay) differs, or one was added or removed.</summary>
    public static bool Changed(IntercomConfig current, IntercomConfig next)
    {
        var before = CodeLists(current);
        var after = CodeLists(next);
        return !JsonNode.DeepEquals(before, after);
    }

    /// <summary>The errors with every code comparison folded into <see cref="Clash"/> (once, naming no entry).</summary>
    public static IReadOnlyList<ConfigError> Conceal(IReadOnlyList<ConfigError> errors)
    {
        var kept = new List<ConfigError>(errors.Count);
        var clash = false;
        foreach (var error in errors)
        {
            if (ComparingReasons.Any(r => error.Reason.Contains(r, StringComparison.Ordinal)))
            {
                clash = true;
            }
            else
            {
                kept.Add(error);
            }
        }

        if (clash)
        {
            kept.Add(Clash);
        }

        return kept;
    }

    private static JsonArray CodeLists(IntercomConfig config)
    {
        var station = JsonSerializer.SerializeToNode(config.Station, ConfigJsonContext.Default.StationConfig)!;
        JsonArray lists = [station["codes"]?.DeepClone(), station["keypad"]?["localCodes"]?.DeepClone()];

        // When a code's call ends after it opened the door opens nothing: only the id, the code and the relay count.
        foreach (var list in lists.OfType<JsonArray>())
        {
            foreach (var entry in list.OfType<JsonObject>())
            {
                entry.Remove("hangUpAfterSeconds");
            }
        }

        return lists;
    }
}
