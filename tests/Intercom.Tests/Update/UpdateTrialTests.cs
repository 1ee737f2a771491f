using System.Runtime.InteropServices;
using Intercom.Update;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Tests.Update;

/// <summary>
/// The trial of an installed update (issue #21.5) on the fake clock: confirmed once ready and registered, given up after
/// <see cref="UpdateTrial.Window"/> otherwise (the station then exits and the launcher rolls back; that part runs
/// against the published binary in FirmwareUpdateCycleTests).
/// </summary>
public sealed class UpdateTrialTests : IDisposable
{
    private static readonly string Rid = RuntimeInformation.RuntimeIdentifier;
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-trial-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly ReleaseStore _store;
    private int _failures;

    public UpdateTrialTests()
    {
        _store = new ReleaseStore(_dir);
        Assert.NotNull(_store.Install(ReleaseArchiveTests.Archive($"intercom-2.0.0-{Rid}", ("intercom", ReleaseArchiveTests.Elf())), Rid, "1.0.0", out _));
        Assert.True(_store.OnTrial);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private UpdateTrial Start(Func<bool> registered) =>
        UpdateTrial.Start(_store, registered, () => _failures++, _time, NullLogger.Instance);

    [Fact]
    public void Never_registered_gives_up_at_the_end_of_the_window_and_leaves_the_trial_open_for_the_launcher()
    {
        using var trial = Start(() => false);
        _time.Advance(UpdateTrial.Window - TimeSpan.FromSeconds(1));
        Assert.Equal(0, _failures);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _failures);
        Assert.True(_store.OnTrial, "a failed trial must stay open: the launcher rolls back only a trial it finds");

        _time.Advance(UpdateTrial.Window * 3);
        Assert.Equal(1, _failures);
    }

    [Fact]
    public void Registered_late_in_the_window_confirms_and_the_deadline_no_longer_fires()
    {
        var registered = false;
        using var trial = Start(() => registered);
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(_store.OnTrial);

        registered = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_store.OnTrial);
        _time.Advance(UpdateTrial.Window * 2);
        Assert.Equal(0, _failures);
    }

    [Fact]
    public void Without_a_trial_nothing_is_watched()
    {
        _store.Confirm();
        using var trial = Start(() => false);
        _time.Advance(UpdateTrial.Window * 2);
        Assert.Equal(0, _failures);
        Assert.False(_store.OnTrial);
    }
}
