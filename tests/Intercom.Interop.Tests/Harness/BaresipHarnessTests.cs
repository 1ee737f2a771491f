using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Harness;

/// <summary>The baresip phones the interop tests use: they register at the test Kamailio and call each other through it.</summary>
public sealed class BaresipHarnessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-baresip-").FullName;
    private Kamailio _kamailio = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        _kamailio.Users["bob"] = "bob-secret";
        _kamailio.Users["carol"] = "carol-secret";
        await _kamailio.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Two_phones_register_and_talk_through_kamailio()
    {
        await using var bob = Baresip.Create(Path.Combine(_dir, "bob"),
            $"<sip:bob@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=bob-secret;answermode=auto;regint=600;audio_codecs=PCMU", toneHz: 440);
        await using var carol = Baresip.Create(Path.Combine(_dir, "carol"),
            $"<sip:carol@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=carol-secret;answermode=manual;regint=600;audio_codecs=PCMU", toneHz: 1000);
        await bob.StartAsync();
        await carol.StartAsync();
        await bob.WaitForRegistrationAsync(TimeSpan.FromSeconds(15));
        await carol.WaitForRegistrationAsync(TimeSpan.FromSeconds(15));

        await carol.CommandAsync("dial", $"sip:bob@127.0.0.1:{_kamailio.UdpPort}");
        try
        {
            await bob.WaitForEventAsync("CALL_ESTABLISHED", TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nkamailio:\n" + _kamailio.Process.Tail(40), e);
        }

        await carol.WaitForEventAsync("CALL_ESTABLISHED", TimeSpan.FromSeconds(15));
        // The phones run above the suite's own threads, the call's audio threads too (PeerProcess.TryRaisePriority).
        Assert.All(ThreadNiceValues(bob.Process.Pid), nice => Assert.Equal(-10, nice));
        await carol.CommandAsync("hangup");
        await bob.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(15));
        Assert.NotEmpty(Directory.GetFiles(bob.RecordingDirectory, "*.wav"));
    }

    // proc(5): the 19th field of /proc/PID/task/TID/stat is the thread's nice value; the 2nd, (comm), may hold spaces.
    private static List<int> ThreadNiceValues(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Select(task => File.ReadAllText(Path.Combine(task, "stat")))
            .Select(stat => int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
}
