using System.Text;
using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

/// <summary>
/// Code entries are named by an id so the web API can keep codes write-only; files written before entries had ids
/// still load, and are given ids by position.
/// </summary>
public sealed class CodeIdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-codes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string WithCodes(string codes, string localCodes = "[]") => $$"""
        {
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ],
            "codes": {{codes}},
            "keypad": { "localCodes": {{localCodes}} }
          }
        }
        """;

    private static IntercomConfig Load(string json)
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        return config!;
    }

    [Fact]
    public void Entries_of_an_older_file_without_ids_are_named_by_position_around_the_ids_already_taken()
    {
        var config = Load(WithCodes(
            """[ { "code": "1111", "relay": "door" }, { "id": "code1", "code": "2222", "relay": "gate" }, { "code": "3333", "relay": "door" } ]""",
            """[ { "code": "4444", "relay": "door" } ]"""));

        Assert.Equal(["code2", "code1", "code3"], config.Station.Codes.Select(c => c.Id));
        Assert.Equal(["1111", "2222", "3333"], config.Station.Codes.Select(c => c.Code));
        Assert.Equal("keypad1", Assert.Single(config.Station.Keypad.LocalCodes).Id);
    }

    [Fact]
    public void A_given_id_never_contains_the_entrys_code()
    {
        var config = TestConfigs.Minimal();
        config.Station.Codes = [.. Enumerable.Range(0, 11).Select(i => new CodeConfig { Id = i == 10 ? "" : $"x{i}", Code = $"2{i:D3}" })];
        config.Station.Codes[10].Code = "11";

        CodeIds.AssignMissing(config.Station);

        Assert.Equal("code12", config.Station.Codes[10].Id);
    }

    [Theory]
    [InlineData("d")]
    [InlineData("code")]
    [InlineData("ODE")]
    public async Task A_code_inside_the_id_prefix_is_refused_not_looped_on(string code)
    {
        // Found by fuzzing: "code" + N contains "d" for every N, and the search for an id without the code never ended.
        // Bounded here, so that a regression fails instead of hanging the run.
        var json = Encoding.UTF8.GetBytes(WithCodes($$"""[ { "code": "{{code}}", "relay": "door" } ]"""));
        var (accepted, errors) = await Task.Run(() => (ConfigLoader.TryParse(json, out _, out var e), e)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(accepted);
        Assert.Contains("station.codes[0].code", errors.Select(e => e.Path));
    }

    [Fact]
    public void The_same_file_gets_the_same_ids_at_every_load()
    {
        var json = WithCodes("""[ { "code": "1111", "relay": "door" }, { "code": "2222", "relay": "gate" } ]""");

        Assert.Equal(Load(json).Station.Codes.Select(c => c.Id), Load(json).Station.Codes.Select(c => c.Id));
    }

    [Fact]
    public void Saving_records_the_ids_in_the_file()
    {
        var store = new ConfigStore(Path.Combine(_dir, "intercom.json"));
        var config = TestConfigs.Minimal();
        config.Station.Codes = [new CodeConfig { Code = "1111" }, new CodeConfig { Id = "cleaner", Code = "2222" }];

        Assert.True(store.TrySave(config, out var errors), string.Join("\n", errors));

        Assert.Equal(["code1", "cleaner"], config.Station.Codes.Select(c => c.Id));
        Assert.Contains("\"id\": \"code1\"", File.ReadAllText(store.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_id_is_refused_by_name_without_showing_a_code()
    {
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(WithCodes(
            """[ { "id": "a", "code": "1111", "relay": "door" }, { "id": "a", "code": "2222", "relay": "gate" } ]""")), out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("station.codes[1].id", error.Path);
        Assert.Contains("already the id of codes[0]", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("1111", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("2222", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[ null ]")]
    [InlineData("[ { \"code\": \"1111\", \"relay\": \"door\" }, null ]")]
    [InlineData("[ { \"id\": null, \"code\": \"1111\", \"relay\": \"door\" } ]")]
    [InlineData("[ { \"id\": 7, \"code\": \"1111\", \"relay\": \"door\" } ]")]
    [InlineData("[ { \"id\": \"a\", \"id\": \"b\", \"code\": \"1111\", \"relay\": \"door\" } ]")]
    public void Malformed_entries_are_refused_never_thrown_on(string codes)
    {
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(WithCodes(codes)), out var config, out var errors));
        Assert.Null(config);
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void An_entry_without_its_code_is_refused_as_required()
    {
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(WithCodes("""[ { "id": "a", "relay": "door" } ]""")), out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("station.codes[0].code", error.Path);
        Assert.StartsWith("is required", error.Reason, StringComparison.Ordinal);
    }
}
