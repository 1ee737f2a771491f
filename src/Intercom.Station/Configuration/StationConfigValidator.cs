using Intercom.Hardware;
using Intercom.Station.Calls;
using Intercom.Station.Routing;

namespace Intercom.Station.Configuration;

/// <summary>
/// Checks a <see cref="StationConfig"/> before it is used: every pin used once and on the header, ids unique,
/// references resolve, codes well-formed, timings in range. Each error names the field path and the reason,
/// e.g. "buttons[1].pin: GPIO 26 is already used by relays[0]". Code values never appear in messages.
/// </summary>
public static class StationConfigValidator
{
    private const string CodeCharacters = "0123456789*#ABCD";
    private const int MinCodeLength = 4;
    private const int MaxCodeLength = 16;
    private const int MaxCodeIdLength = 64;

    /// <summary>The longest wait before a call is ended after a door opened, in seconds.</summary>
    public const int MaxHangUpAfterOpenSeconds = 300;

    /// <summary>All problems found; empty when the configuration is usable.</summary>
    public static IReadOnlyList<ConfigError> Validate(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<ConfigError>();
        var board = config.Board ?? new BoardConfig();

        CheckPins(config, board, errors);
        CheckBoard(board, errors);

        var relayIds = CheckIds(config.Relays, r => r.Id, "relays", errors);
        for (var i = 0; i < config.Relays.Count; i++)
        {
            var relay = config.Relays[i];
            if (relay.PulseMs <= 0)
            {
                errors.Add(new($"relays[{i}].pulseMs", "must be positive"));
            }
            else if (relay.MaxMs < relay.PulseMs)
            {
                errors.Add(new($"relays[{i}].maxMs", $"must be at least pulseMs ({relay.PulseMs})"));
            }
            else if (relay.MaxMs > 3_600_000)
            {
                errors.Add(new($"relays[{i}].maxMs", "must be at most one hour (3600000)"));
            }
        }

        CheckHangUpAfter(config.HangUpAfterOpenSeconds, "hangUpAfterOpenSeconds", errors);
        if (board.ExitButton is not null || !string.IsNullOrEmpty(config.DoorRelay))
        {
            CheckReference(config.DoorRelay, relayIds, "doorRelay", "relay", errors);
        }

        var scheduleIds = CheckIds(config.Schedules, s => s.Id, "schedules", errors);
        for (var i = 0; i < config.Schedules.Count; i++)
        {
            if (!WeeklySchedule.TryParse(config.Schedules[i], out _, out var field, out var reason))
            {
                errors.Add(new($"schedules[{i}].{field}", reason));
            }

            var holds = config.Schedules[i].HoldRelays ?? [];
            for (var j = 0; j < holds.Count; j++)
            {
                var path = $"schedules[{i}].holdRelays[{j}]";
                var index = config.Relays.FindIndex(r => string.Equals(r.Id, holds[j], StringComparison.Ordinal));
                if (index < 0)
                {
                    CheckReference(holds[j], relayIds, path, "relay", errors);
                }
                else if (config.Relays[index].Mode != RelayMode.Hold)
                {
                    errors.Add(new(path, $"relay \"{holds[j]}\" only pulses: set relays[{index}].mode to Hold (for a lock or strike rated to stay open)"));
                }
                else if (holds.IndexOf(holds[j]) != j)
                {
                    errors.Add(new(path, $"\"{holds[j]}\" is already listed"));
                }
            }
        }

        var groupIds = CheckIds(config.RingGroups, g => g.Id, "ringGroups", errors);
        for (var i = 0; i < config.RingGroups.Count; i++)
        {
            CheckRingGroup(config.RingGroups[i], $"ringGroups[{i}]", errors);
        }

        CheckIds(config.Buttons, b => b.Id, "buttons", errors);
        for (var i = 0; i < config.Buttons.Count; i++)
        {
            var button = config.Buttons[i];
            CheckReference(button.RingGroup, groupIds, $"buttons[{i}].ringGroup", "ring group", errors);
            CheckPull(button.ActiveLow, button.Pull, $"buttons[{i}].pull", errors);
            for (var j = 0; j < button.Schedules.Count; j++)
            {
                CheckReference(button.Schedules[j].Schedule, scheduleIds, $"buttons[{i}].schedules[{j}].schedule", "schedule", errors);
                CheckReference(button.Schedules[j].RingGroup, groupIds, $"buttons[{i}].schedules[{j}].ringGroup", "ring group", errors);
            }
        }

        CheckCodes(config.Codes, relayIds, "codes", errors);
        CheckCodeLock(config.CodeLock, errors);
        CheckIncoming(config.Incoming, errors);
        CheckKeypad(config.Keypad, board.Keypad, relayIds, errors);
        CheckEventLog(config.EventLog, errors);
        return errors;
    }

    private static void CheckPins(StationConfig config, BoardConfig board, List<ConfigError> errors)
    {
        var used = new Dictionary<int, string>();

        void Use(int pin, string owner)
        {
            var path = owner + ".pin";
            if (pin is < 0 or > 27)
            {
                errors.Add(new(path, $"GPIO {pin} is not on the 40-pin header (BCM 0–27)"));
            }
            else if (pin is 0 or 1)
            {
                errors.Add(new(path, $"GPIO {pin} is reserved for the HAT ID EEPROM"));
            }
            else if (!used.TryAdd(pin, owner))
            {
                errors.Add(new(path, $"GPIO {pin} is already used by {used[pin]}"));
            }
        }

        for (var i = 0; i < config.Relays.Count; i++)
        {
            Use(config.Relays[i].Pin, $"relays[{i}]");
        }

        for (var i = 0; i < config.Buttons.Count; i++)
        {
            Use(config.Buttons[i].Pin, $"buttons[{i}]");
        }

        if (board.ExitButton is { } exit)
        {
            Use(exit.Pin, "board.exitButton");
        }

        if (board.DoorContact is { } contact)
        {
            Use(contact.Pin, "board.doorContact");
        }

        if (board.Tamper is { } tamper)
        {
            Use(tamper.Pin, "board.tamper");
        }

        var leds = board.Leds ?? new LedsConfig();
        foreach (var (name, led) in new[] { ("registered", leds.Registered), ("calling", leds.Calling), ("inCall", leds.InCall), ("doorOpen", leds.DoorOpen), ("fault", leds.Fault) })
        {
            if (led is not null)
            {
                Use(led.Pin, $"board.leds.{name}");
            }
        }

        if (board.Keypad is { } keypad)
        {
            // Keypad pins are list entries, so their path has no ".pin": report on the entry itself.
            for (var i = 0; i < keypad.Rows.Count; i++)
            {
                UseEntry(keypad.Rows[i], $"board.keypad.rows[{i}]");
            }

            for (var i = 0; i < keypad.Columns.Count; i++)
            {
                UseEntry(keypad.Columns[i], $"board.keypad.columns[{i}]");
            }
        }

        void UseEntry(int pin, string path)
        {
            if (pin is < 2 or > 27)
            {
                errors.Add(new(path, $"GPIO {pin} is not a usable header pin (BCM 2–27)"));
            }
            else if (!used.TryAdd(pin, path))
            {
                errors.Add(new(path, $"GPIO {pin} is already used by {used[pin]}"));
            }
        }
    }

    private static void CheckBoard(BoardConfig board, List<ConfigError> errors)
    {
        if (board.DebounceMs is < 0 or > 1000)
        {
            errors.Add(new("board.debounceMs", "must be 0–1000"));
        }

        if (board.DoublePressMs < 3 * board.DebounceMs)
        {
            errors.Add(new("board.doublePressMs", $"must be at least 3 × debounceMs ({3 * board.DebounceMs})"));
        }

        if (board.LongPressMs is < 100 or > 60000)
        {
            errors.Add(new("board.longPressMs", "must be 100–60000"));
        }

        if (board.DoorHeldOpenSeconds is < 1 or > 86400)
        {
            errors.Add(new("board.doorHeldOpenSeconds", "must be 1–86400"));
        }

        if (board.ExitButton is { } exit)
        {
            CheckPull(exit.ActiveLow, exit.Pull, "board.exitButton.pull", errors);
        }

        if (board.Keypad is { } keypad)
        {
            if (keypad.Rows.Count is < 1 or > 4 || keypad.Columns.Count is < 1 or > 4)
            {
                errors.Add(new("board.keypad", "must have 1–4 rows and 1–4 columns"));
            }
            else if (keypad.Keys is null || keypad.Keys.Length != keypad.Rows.Count * keypad.Columns.Count)
            {
                errors.Add(new("board.keypad.keys", $"must have one character per key ({keypad.Rows.Count * keypad.Columns.Count})"));
            }
            else if (keypad.Keys.AsSpan().IndexOfAnyExcept(CodeCharacters) >= 0)
            {
                errors.Add(new("board.keypad.keys", "may only contain 0-9 * # A-D"));
            }

            if (keypad.ScanIntervalMs is < 1 or > 200)
            {
                errors.Add(new("board.keypad.scanIntervalMs", "must be 1–200"));
            }
        }
    }

    private static void CheckPull(bool activeLow, PinPull pull, string path, List<ConfigError> errors)
    {
        if ((activeLow && pull == PinPull.Down) || (!activeLow && pull == PinPull.Up))
        {
            errors.Add(new(path, activeLow
                ? "an active-low button needs a pull-up (or none with an external resistor)"
                : "an active-high button needs a pull-down (or none with an external resistor)"));
        }
    }

    private static HashSet<string> CheckIds<T>(List<T> items, Func<T, string> id, string list, List<ConfigError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var value = id(items[i]);
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new($"{list}[{i}].id", "must not be empty"));
            }
            else if (!seen.TryAdd(value, i))
            {
                errors.Add(new($"{list}[{i}].id", $"\"{value}\" is already the id of {list}[{seen[value]}]"));
            }
        }

        return [.. seen.Keys];
    }

    private static void CheckReference(string? value, HashSet<string> ids, string path, string what, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(new(path, $"must name a {what}"));
        }
        else if (!ids.Contains(value))
        {
            errors.Add(new(path, $"no {what} has the id \"{value}\""));
        }
    }

    private static void CheckRingGroup(RingGroupConfig group, string path, List<ConfigError> errors)
    {
        // A group without targets is one not set up yet (the shipped configuration's): its button calls nobody, plays the
        // failure tone, and the station's status lists it as missing.
        for (var j = 0; j < group.Targets.Count; j++)
        {
            if (!WebPhoneTarget.IsDialable(group.Targets[j]))
            {
                errors.Add(new($"{path}.targets[{j}]", "expected a SIP URI (sip:user@host) or an extension"));
            }
        }

        for (var j = 0; j < group.Fallback.Count; j++)
        {
            if (!WebPhoneTarget.IsDialable(group.Fallback[j]))
            {
                errors.Add(new($"{path}.fallback[{j}]", "expected a SIP URI (sip:user@host) or an extension"));
            }
        }

        if (group.RingTimeoutSeconds is < 1 or > 600)
        {
            errors.Add(new($"{path}.ringTimeoutSeconds", "must be 1–600"));
        }

        if (group.MaxCallSeconds is < 10 or > 86400)
        {
            errors.Add(new($"{path}.maxCallSeconds", "must be 10–86400"));
        }
    }

    private static void CheckCodes(List<CodeConfig> codes, HashSet<string> relayIds, string list, List<ConfigError> errors)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < codes.Count; i++)
        {
            // An empty id is given one on load and save (CodeIds); a set one names the entry for the web API's write-only codes.
            var id = codes[i].Id ?? "";
            if (id.Length > MaxCodeIdLength || (id.Length > 0 && string.IsNullOrWhiteSpace(id)))
            {
                errors.Add(new($"{list}[{i}].id", $"must be 1–{MaxCodeIdLength} characters, not only spaces"));
            }
            else if (id.Length > 0 && !ids.TryAdd(id, i))
            {
                errors.Add(new($"{list}[{i}].id", $"\"{id}\" is already the id of {list}[{ids[id]}]"));
            }
            else if (codes[i].Code is { Length: >= MinCodeLength } digits && CodeIds.ShowsCode(id, digits))
            {
                // Ids are shown by the web API and in the event log; the code is not (and the id is not echoed here).
                errors.Add(new($"{list}[{i}].id", "must not contain the code: ids are shown on the page and in the event log"));
            }

            var code = codes[i].Code ?? "";
            var path = $"{list}[{i}].code";
            if (code.Length == 0)
            {
                errors.Add(new(path, "is required (an entry the station does not know yet needs its code)"));
            }
            else if (code.Length is < MinCodeLength or > MaxCodeLength)
            {
                errors.Add(new(path, $"must be {MinCodeLength}–{MaxCodeLength} characters"));
            }
            else if (code.AsSpan().IndexOfAnyExcept(CodeCharacters) >= 0)
            {
                errors.Add(new(path, "may only contain 0-9 * # A-D"));
            }
            else if (code.AsSpan(0, code.Length - 1).Contains('#'))
            {
                errors.Add(new(path, "'#' may only be the last character (it ends an attempt)"));
            }

            CheckReference(codes[i].Relay, relayIds, $"{list}[{i}].relay", "relay", errors);
            CheckHangUpAfter(codes[i].HangUpAfterSeconds, $"{list}[{i}].hangUpAfterSeconds", errors);
            for (var j = 0; j < i; j++)
            {
                var other = codes[j].Code ?? "";
                if (other.Length == 0 || code.Length == 0)
                {
                    continue;
                }

                if (string.Equals(code, other, StringComparison.Ordinal))
                {
                    errors.Add(new(path, $"is the same as {list}[{j}].code"));
                }
                else if (code.StartsWith(other, StringComparison.Ordinal) || other.StartsWith(code, StringComparison.Ordinal))
                {
                    // A code is accepted as soon as it is complete, so the longer one could never be entered.
                    errors.Add(new(path, $"one of this and {list}[{j}].code begins with the other, so the longer can never be entered"));
                }
            }
        }
    }

    private static void CheckHangUpAfter(int? seconds, string path, List<ConfigError> errors)
    {
        if (seconds is < 0 or > MaxHangUpAfterOpenSeconds)
        {
            errors.Add(new(path, $"must be 0–{MaxHangUpAfterOpenSeconds} seconds (0: the call goes on), or null"));
        }
    }

    private static void CheckCodeLock(CodeLockConfig codeLock, List<ConfigError> errors)
    {
        if (codeLock.MaxFailures is < 1 or > 100)
        {
            errors.Add(new("codeLock.maxFailures", "must be 1–100"));
        }

        if (codeLock.LockoutSeconds is < 1 or > 86400)
        {
            errors.Add(new("codeLock.lockoutSeconds", "must be 1–86400"));
        }

        if (codeLock.StationMaxFailures < codeLock.MaxFailures)
        {
            errors.Add(new("codeLock.stationMaxFailures", $"must be at least maxFailures ({codeLock.MaxFailures})"));
        }

        if (codeLock.StationLockoutSeconds is < 1 or > 86400)
        {
            errors.Add(new("codeLock.stationLockoutSeconds", "must be 1–86400"));
        }

        if (codeLock.MaxLockoutSeconds is < 1 or > 86400)
        {
            errors.Add(new("codeLock.maxLockoutSeconds", "must be 1–86400"));
        }

        if (codeLock.ForgetAfterSeconds is < 60 or > 604800)
        {
            errors.Add(new("codeLock.forgetAfterSeconds", "must be 60–604800 (a week)"));
        }

        if (codeLock.InterDigitTimeoutMs is < 500 or > 60000)
        {
            errors.Add(new("codeLock.interDigitTimeoutMs", "must be 500–60000"));
        }
    }

    private static void CheckIncoming(IncomingConfig incoming, List<ConfigError> errors)
    {
        for (var i = 0; i < incoming.Allowlist.Count; i++)
        {
            if (!CallerMatch.IsPlausibleTarget(incoming.Allowlist[i]))
            {
                errors.Add(new($"incoming.allowlist[{i}]", "expected a SIP URI (sip:user@host) or an extension"));
            }
        }

        if (incoming.Sources.Count > SourceNetwork.MaxEntries)
        {
            errors.Add(new("incoming.sources", $"at most {SourceNetwork.MaxEntries} entries"));
        }
        else
        {
            var seen = new Dictionary<System.Net.IPNetwork, int>();
            for (var i = 0; i < incoming.Sources.Count; i++)
            {
                if (!SourceNetwork.TryParse(incoming.Sources[i], out var network, out var reason))
                {
                    errors.Add(new($"incoming.sources[{i}]", reason));
                }
                else if (!seen.TryAdd(network, i))
                {
                    errors.Add(new($"incoming.sources[{i}]", $"is the same as incoming.sources[{seen[network]}]"));
                }
            }
        }

        if (incoming.MaxCallSeconds is < 10 or > 86400)
        {
            errors.Add(new("incoming.maxCallSeconds", "must be 10–86400"));
        }
    }

    private static void CheckKeypad(KeypadConfig keypad, KeypadWiringConfig? wiring, HashSet<string> relayIds, List<ConfigError> errors)
    {
        CheckCodes(keypad.LocalCodes, relayIds, "keypad.localCodes", errors);
        var keys = wiring?.Keys ?? "123456789*0#";
        if (keypad.CallKey is not { Length: 1 } || !keys.Contains(keypad.CallKey[0], StringComparison.Ordinal))
        {
            errors.Add(new("keypad.callKey", "must be one key of the keypad"));
        }

        if (keypad.ClearKey is not { Length: 1 } || !keys.Contains(keypad.ClearKey[0], StringComparison.Ordinal))
        {
            errors.Add(new("keypad.clearKey", "must be one key of the keypad"));
        }
        else if (string.Equals(keypad.ClearKey, keypad.CallKey, StringComparison.Ordinal))
        {
            errors.Add(new("keypad.clearKey", "must differ from callKey"));
        }

        for (var i = 0; i < keypad.LocalCodes.Count; i++)
        {
            var code = keypad.LocalCodes[i].Code ?? "";
            if ((keypad.ClearKey is { Length: 1 } && code.Contains(keypad.ClearKey[0], StringComparison.Ordinal))
                || (keypad.CallKey is { Length: 1 } && code.Contains(keypad.CallKey[0], StringComparison.Ordinal)))
            {
                errors.Add(new($"keypad.localCodes[{i}].code", "contains the call or clear key, so it can never be typed"));
            }
        }

        var apartments = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < keypad.DialMap.Count; i++)
        {
            var entry = keypad.DialMap[i];
            var path = $"keypad.dialMap[{i}]";
            if (string.IsNullOrEmpty(entry.Apartment) || entry.Apartment.Length > 8 || entry.Apartment.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0)
            {
                errors.Add(new($"{path}.apartment", "must be 1–8 digits"));
            }
            else if (!apartments.TryAdd(entry.Apartment, i))
            {
                errors.Add(new($"{path}.apartment", $"is the same as keypad.dialMap[{apartments[entry.Apartment]}].apartment"));
            }
            else
            {
                foreach (var local in keypad.LocalCodes)
                {
                    if (!string.IsNullOrEmpty(local.Code) && entry.Apartment.StartsWith(local.Code, StringComparison.Ordinal))
                    {
                        errors.Add(new($"{path}.apartment", "begins with a local code, so typing it would open the door instead"));
                        break;
                    }
                }
            }

            if (!CallerMatch.IsPlausibleTarget(entry.Target))
            {
                errors.Add(new($"{path}.target", "expected a ring group id, a SIP URI or an extension"));
            }
        }

        if (keypad.RingTimeoutSeconds is < 1 or > 600)
        {
            errors.Add(new("keypad.ringTimeoutSeconds", "must be 1–600"));
        }
    }

    private static void CheckEventLog(EventLogConfig log, List<ConfigError> errors)
    {
        if (log.Capacity is < 10 or > 100_000)
        {
            errors.Add(new("eventLog.capacity", "must be 10–100000"));
        }

        if (log.PersistCount < 0 || log.PersistCount > log.Capacity)
        {
            errors.Add(new("eventLog.persistCount", $"must be 0–capacity ({log.Capacity})"));
        }

        if (log.FlushIntervalSeconds is < 10 or > 86400)
        {
            errors.Add(new("eventLog.flushIntervalSeconds", "must be 10–86400"));
        }
    }
}
