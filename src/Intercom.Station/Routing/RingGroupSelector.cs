using Intercom.Station.Configuration;

namespace Intercom.Station.Routing;

/// <summary>
/// Which ring group a call button rings now: the first of the button's scheduled groups whose schedule is active
/// in the station's local time, else the button's own group.
/// </summary>
internal sealed class RingGroupSelector
{
    private readonly Dictionary<string, RingGroupConfig> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WeeklySchedule> _schedules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ButtonConfig> _buttons = new(StringComparer.Ordinal);

    public RingGroupSelector(StationConfig config)
    {
        foreach (var group in config.RingGroups)
        {
            _groups[group.Id] = group;
        }

        foreach (var schedule in config.Schedules)
        {
            if (WeeklySchedule.TryParse(schedule, out var parsed, out _, out _))
            {
                _schedules[schedule.Id] = parsed;
            }
        }

        foreach (var button in config.Buttons)
        {
            _buttons[button.Id] = button;
        }
    }

    /// <summary>The ring group with this id, if any.</summary>
    public RingGroupConfig? Group(string id) => _groups.GetValueOrDefault(id);

    /// <summary>Chooses the group for a button press.</summary>
    /// <returns>False (with the reason) when the button or its group is not configured.</returns>
    public bool TrySelect(string buttonId, DateTimeOffset localNow, out RingGroupConfig group, out string reason)
    {
        group = null!;
        if (!_buttons.TryGetValue(buttonId, out var button))
        {
            reason = $"button {buttonId} is not configured";
            return false;
        }

        var groupId = button.RingGroup;
        foreach (var scheduled in button.Schedules)
        {
            if (_schedules.TryGetValue(scheduled.Schedule, out var schedule) && schedule.IsActive(localNow))
            {
                groupId = scheduled.RingGroup;
                break;
            }
        }

        if (!_groups.TryGetValue(groupId, out var found))
        {
            reason = $"button {buttonId}: ring group {groupId} does not exist";
            return false;
        }

        if (found.Targets.Count == 0 && found.Fallback.Count == 0)
        {
            reason = $"button {buttonId}: ring group {groupId} has no targets yet (station.ringGroups)";
            return false;
        }

        group = found;
        reason = "";
        return true;
    }
}
