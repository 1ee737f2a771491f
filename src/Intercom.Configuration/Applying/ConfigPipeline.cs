using Intercom.Station.Configuration;

namespace Intercom.Configuration.Applying;

/// <summary>
/// The one way a configuration change reaches the running station, whoever asks (the web page and API, a SIGHUP reload
/// after an installer edited the file): validate the whole file → save it atomically (a change from the page) → one diff
/// against what runs → each part applies its sections → what is left waits for the next start, and is reported. One
/// change at a time, end to end. A refused change leaves the file and the running station as they were.
/// </summary>
public sealed class ConfigPipeline
{
    private readonly ConfigStore store;
    private readonly IntercomConfig started;
    private readonly IReadOnlyList<ILiveConfigPart> parts;
    private readonly SemaphoreSlim applying = new(1, 1);
    private readonly Lock gate = new();
    private IntercomConfig current;
    private IReadOnlyList<string> restartRequired = [];

    /// <param name="started">The configuration the station started with (start-time wiring compares against it).</param>
    public ConfigPipeline(ConfigStore store, IntercomConfig started, IReadOnlyList<ILiveConfigPart> parts)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.started = started ?? throw new ArgumentNullException(nameof(started));
        this.parts = parts ?? throw new ArgumentNullException(nameof(parts));
        current = started;
    }

    /// <summary>The file where changes are saved and a reload reads from.</summary>
    public string Path => store.Path;

    /// <summary>The configuration in effect: the last one accepted (its start-time sections wait for a restart).</summary>
    public IntercomConfig Current
    {
        get { lock (gate) { return current; } }
    }

    /// <summary>Sections saved but not yet in effect, until the next start.</summary>
    public IReadOnlyList<string> RestartRequired
    {
        get { lock (gate) { return restartRequired; } }
    }

    /// <summary>A change from the page or the API: validated, saved atomically, then applied.</summary>
    public async Task<ConfigApplyResult> ApplyAsync(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        await applying.WaitAsync().ConfigureAwait(false);
        try
        {
            try
            {
                if (!store.TrySave(config, out var errors))
                {
                    return ConfigApplyResult.Refused(errors);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ConfigApplyResult.Refused([new("$", $"cannot save {store.Path}: {e.Message}")]);
            }

            return await ApplySavedAsync(config).ConfigureAwait(false);
        }
        finally
        {
            applying.Release();
        }
    }

    /// <summary>
    /// The file as it is on disk now (an installer edited it; `systemctl reload intercom`): refused with the field and the
    /// reason when it does not validate, the running configuration kept; applied as a change from the page otherwise.
    /// </summary>
    public async Task<ConfigApplyResult> ReloadAsync()
    {
        await applying.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ConfigLoader.TryLoad(store.Path, out var config, out var errors, store.RunsForReal))
            {
                return ConfigApplyResult.Refused(errors);
            }

            var result = await ApplySavedAsync(config!).ConfigureAwait(false);
            store.KeepAsGood(config!);
            return result;
        }
        finally
        {
            applying.Release();
        }
    }

    private async Task<ConfigApplyResult> ApplySavedAsync(IntercomConfig config)
    {
        var next = ConfigSections.Of(config);
        var diff = ConfigDiff.Between(ConfigSections.Of(Current), next);
        var applied = new List<string>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            live.UnionWith(part.LiveSections);
            if (part.LiveSections.Any(diff.Has))
            {
                applied.AddRange(await part.ApplyAsync(config, diff).ConfigureAwait(false));
            }
        }

        // What no part applies live takes effect at the next start: it is pending while it differs from what started.
        var restart = ConfigDiff.Between(ConfigSections.Of(started), next).Changed.Where(s => !live.Contains(s)).ToList();
        lock (gate)
        {
            current = config;
            restartRequired = restart;
        }

        return new ConfigApplyResult([], [.. applied.Distinct(StringComparer.Ordinal)], restart);
    }
}
