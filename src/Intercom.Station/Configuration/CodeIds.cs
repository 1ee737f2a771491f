namespace Intercom.Station.Configuration;

/// <summary>
/// Gives code entries without an id one, so files written before entries had ids keep working: entry N of "codes"
/// becomes "codeN" and entry N of "keypad.localCodes" "keypadN" (the next free number when that id is taken). The ids
/// follow the file's order, so they are the same at every start until the file is saved, which then records them.
/// </summary>
public static class CodeIds
{
    public static void AssignMissing(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        AssignMissing(config.Codes, "code");
        if (config.Keypad is { } keypad)
        {
            AssignMissing(keypad.LocalCodes, "keypad");
        }
    }

    /// <summary>True when <paramref name="id"/> would show <paramref name="code"/> (ids are shown on the page and in the event log).</summary>
    internal static bool ShowsCode(string id, string? code) => code is { Length: > 0 } && id.Contains(code, StringComparison.OrdinalIgnoreCase);

    private static void AssignMissing(List<CodeConfig>? codes, string prefix)
    {
        if (codes is null || codes.TrueForAll(c => c is null || !string.IsNullOrEmpty(c.Id)))
        {
            return;
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            if (!string.IsNullOrEmpty(code?.Id))
            {
                taken.Add(code.Id);
            }
        }

        for (var i = 0; i < codes.Count; i++)
        {
            if (codes[i] is not { Id: null or "" } code)
            {
                continue;
            }

            // The next free "prefixN" that does not contain the entry's own code (the validator refuses an id that does). A
            // code inside the prefix itself ("d" in "code", never a valid code) is in every candidate and cannot be avoided:
            // trying looped for ever (found by fuzzing). Any other code is missing from all but finitely many candidates.
            var avoid = ShowsCode(prefix, code.Code) ? null : code.Code;
            var number = i + 1;
            string id;
            while (ShowsCode(id = prefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture), avoid) || !taken.Add(id))
            {
                number++;
            }

            code.Id = id;
        }
    }
}
