using Intercom.Configuration.Applying;

namespace Intercom.Configuration.Tests.Applying;

/// <summary>
/// The one pipeline: one diff of the whole file handed to every part, each part called only for its own sections, a
/// refused change (from the page or from the file) leaving the file and the running configuration as they were, and what
/// no part applies reported until the next start.
/// </summary>
public sealed class ConfigPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_change_reaches_only_the_parts_whose_sections_changed_with_one_diff()
    {
        var (store, started) = Saved(TestConfigs.Minimal("Front door"));
        var station = new RecordingPart("station");
        var calls = new RecordingPart("name", "accounts", "media", "audio");
        var integrations = new RecordingPart("mqtt", "webhooks", "name");
        var pipeline = new ConfigPipeline(store, started, [station, calls, integrations]);

        var next = Clone(started);
        next.Media.Codecs = ["pcma"];
        var result = await pipeline.ApplyAsync(next);

        Assert.True(result.Accepted);
        Assert.Equal(["media"], result.Applied);
        Assert.Empty(result.RestartRequired);
        Assert.Empty(station.Diffs);
        Assert.Empty(integrations.Diffs);
        Assert.Equal(["media"], Assert.Single(calls.Diffs).Changed);
        Assert.Same(next, pipeline.Current);

        // The name is two parts' business; it is named once.
        var renamed = Clone(next);
        renamed.Name = "Back gate";
        var second = await pipeline.ApplyAsync(renamed);
        Assert.Equal(["name"], second.Applied);
        Assert.Equal(2, calls.Diffs.Count);
        Assert.Single(integrations.Diffs);
    }

    [Fact]
    public async Task What_no_part_applies_waits_for_the_next_start_until_it_is_put_back()
    {
        var (store, started) = Saved(TestConfigs.Minimal());
        var pipeline = new ConfigPipeline(store, started, [new RecordingPart("station")]);

        var next = Clone(started);
        next.Sip.Timers.T1Ms = 800;
        next.Station.Board.GpioChip = 4;
        var result = await pipeline.ApplyAsync(next);
        Assert.Equal(["sip.timers", "station.board"], result.RestartRequired.Order(StringComparer.Ordinal));
        Assert.Equal(result.RestartRequired, pipeline.RestartRequired);
        Assert.Empty(result.Applied);

        var back = Clone(next);
        back.Sip.Timers.T1Ms = started.Sip.Timers.T1Ms;
        back.Station.Board.GpioChip = started.Station.Board.GpioChip;
        Assert.Empty((await pipeline.ApplyAsync(back)).RestartRequired);
    }

    [Fact]
    public async Task A_refused_change_names_the_field_and_touches_neither_file_nor_station()
    {
        var (store, started) = Saved(TestConfigs.Minimal("Front door"));
        var part = new RecordingPart("station", "name");
        var pipeline = new ConfigPipeline(store, started, [part]);
        var before = File.ReadAllBytes(store.Path);

        var bad = Clone(started);
        bad.Name = "Changed";
        bad.Station.RingGroups[0].Targets = ["sip:a b@127.0.0.1"];
        var result = await pipeline.ApplyAsync(bad);

        Assert.False(result.Accepted);
        Assert.Contains(result.Errors, e => e.Path.StartsWith("station.ringGroups[0].targets", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(store.Path));
        Assert.Empty(part.Diffs);
        Assert.Same(started, pipeline.Current);
    }

    [Fact]
    public async Task A_reload_applies_the_edited_file_and_refuses_an_invalid_one_keeping_what_runs()
    {
        var (store, started) = Saved(TestConfigs.Minimal("Front door"));
        var part = new RecordingPart("station", "name");
        var pipeline = new ConfigPipeline(store, started, [part]);

        // An installer edits the file by hand and runs `systemctl reload intercom`.
        File.WriteAllText(store.Path, File.ReadAllText(store.Path).Replace("\"Front door\"", "\"Side door\"", StringComparison.Ordinal));
        var reloaded = await pipeline.ReloadAsync();
        Assert.True(reloaded.Accepted);
        Assert.Equal(["name"], reloaded.Applied);
        Assert.Equal("Side door", pipeline.Current.Name);

        // A mistake in the next edit: refused with the field, the running configuration (and the part) left alone.
        File.WriteAllText(store.Path, File.ReadAllText(store.Path).Replace("\"Side door\"", "\"\"", StringComparison.Ordinal));
        var refused = await pipeline.ReloadAsync();
        Assert.False(refused.Accepted);
        Assert.Contains(refused.Errors, e => e.Path == "name");
        Assert.Equal("Side door", pipeline.Current.Name);
        Assert.Single(part.Diffs);

        // Broken JSON is refused the same way.
        File.WriteAllText(store.Path, "{ \"name\": ");
        Assert.False((await pipeline.ReloadAsync()).Accepted);
        Assert.Equal("Side door", pipeline.Current.Name);
    }

    private static IntercomConfig Clone(IntercomConfig config)
    {
        Assert.True(ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(ConfigLoader.Serialize(config)), out var copy, out var errors), string.Join("; ", errors));
        return copy!;
    }

    private (ConfigStore Store, IntercomConfig Config) Saved(IntercomConfig config)
    {
        var store = new ConfigStore(Path.Combine(_dir, "intercom.json"));
        Assert.True(store.TrySave(config, out var errors), string.Join("; ", errors));
        return (store, config);
    }

    private sealed class RecordingPart(params string[] sections) : ILiveConfigPart
    {
        public List<ConfigDiff> Diffs { get; } = [];

        public IReadOnlyCollection<string> LiveSections { get; } = sections;

        public Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff)
        {
            Diffs.Add(diff);
            return Task.FromResult<IReadOnlyList<string>>([.. LiveSections.Where(diff.Has)]);
        }
    }
}
