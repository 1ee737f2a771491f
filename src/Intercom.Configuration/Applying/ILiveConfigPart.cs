namespace Intercom.Configuration.Applying;

/// <summary>
/// A part of the running station that applies its sections of a new configuration without a restart: Phone (name,
/// accounts, media, audio, how callers authenticate), Station (the door-station rules), Integrations (MQTT, webhooks).
/// </summary>
public interface ILiveConfigPart
{
    /// <summary>The sections (<see cref="ConfigSections"/> names) this part applies live.</summary>
    IReadOnlyCollection<string> LiveSections { get; }

    /// <summary>
    /// Applies <paramref name="config"/> (validated, saved) where <paramref name="diff"/> touches this part's sections, and
    /// returns the sections it applied. Never ends a call in progress.
    /// </summary>
    Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff);
}
