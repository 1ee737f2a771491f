using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

public sealed class ConfigStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Save_replaces_the_file_with_mode_0600_and_leaves_no_temp_file()
    {
        var store = new ConfigStore(Path.Combine(_dir, "intercom.json"));
        var config = TestConfigs.Minimal("Back gate");
        Assert.True(store.TrySave(config, out _));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.Equal(["intercom.json", "intercom.json.good"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(store.TryLoad(out var back, out _, out var fellBack));
        Assert.Null(fellBack);
        Assert.Equal("Back gate", back!.Name);
    }

    [Fact]
    public void Loading_removes_temp_copies_left_by_killed_saves_but_not_one_in_progress()
    {
        var store = new ConfigStore(Path.Combine(_dir, "intercom.json"));
        Assert.True(store.TrySave(TestConfigs.Minimal("Back gate"), out _));

        // Linux pids never exceed 4,194,304 (pid_max's ceiling), so these saves' processes are surely gone.
        var abandoned = Write(".intercom.json.4194400.tmp", "{ \"half\": ");
        var abandonedGood = Write(".intercom.json.good.4194401.tmp", "{}");
        var inProgress = Write($".intercom.json.{Environment.ProcessId}.tmp", "{}");
        var unrelated = Write(".other.json.4194402.tmp", "{}");

        Assert.True(store.TryLoad(out _, out _, out _));

        Assert.False(File.Exists(abandoned));
        Assert.False(File.Exists(abandonedGood));
        Assert.True(File.Exists(inProgress));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public void A_refused_configuration_leaves_the_file_untouched()
    {
        var path = Write("intercom.json", TestConfigs.MinimalJson.Replace("{ \"station\"", "{ \"name\": \"Front\", \"station\"", StringComparison.Ordinal));
        var before = File.ReadAllText(path);
        var store = new ConfigStore(path);
        var bad = TestConfigs.Minimal();
        bad.Accounts.Add(new SipAccountConfig { Id = "x", Aor = "mailto:x" });
        Assert.False(store.TrySave(bad, out var errors));
        Assert.Equal("accounts[0].aor", Assert.Single(errors).Path);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void A_corrupt_file_falls_back_to_the_last_good_copy_and_says_why()
    {
        var path = Write("intercom.json", TestConfigs.MinimalJson.Replace("{ \"station\"", "{ \"name\": \"Front\", \"station\"", StringComparison.Ordinal));
        var store = new ConfigStore(path);
        Assert.True(store.TryLoad(out _, out _, out _));
        File.WriteAllText(path, """{ "name": "Fro""");

        Assert.True(store.TryLoad(out var config, out _, out var fellBack));
        Assert.Equal("Front", config!.Name);
        Assert.NotNull(fellBack);
        Assert.NotEmpty(fellBack);
    }

    [Fact]
    public void A_corrupt_file_without_a_good_copy_is_refused()
    {
        var store = new ConfigStore(Write("intercom.json", "{ truncated"));
        Assert.False(store.TryLoad(out var config, out var errors, out _));
        Assert.Null(config);
        Assert.NotEmpty(errors);
    }
}
