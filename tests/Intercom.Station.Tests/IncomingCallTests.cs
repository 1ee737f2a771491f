using Intercom.Hardware;
using Intercom.Station.Calls;

namespace Intercom.Station.Tests;

public sealed class IncomingCallTests
{
    private static StationFixture Fixture(Action<Intercom.Station.Configuration.StationConfig>? change = null) => StationFixture.Create(c =>
    {
        c.Incoming.Allowlist = ["sip:concierge@pbx.example", "101"];
        c.Incoming.AutoAnswer = true;
        change?.Invoke(c);
    });

    [Fact]
    public void Auto_answer_is_off_by_default()
    {
        Assert.False(new Intercom.Station.Configuration.IncomingConfig().AutoAnswer);
        using var f = StationFixture.Create(c => c.Incoming.Allowlist = ["sip:concierge@pbx.example"]);

        var call = f.Calls.Incoming("sip:concierge@pbx.example");

        Assert.Equal([(call, 480)], f.Calls.Rejected);
    }

    [Theory]
    [InlineData("sip:concierge@pbx.example")]
    [InlineData("sip:101@pbx.example")]
    [InlineData("sip:intruder@pbx.example")]
    public void A_caller_nothing_vouches_for_is_refused_whatever_the_from_says(string caller)
    {
        using var f = Fixture();

        var call = f.Calls.Incoming(caller, CallerOrigin.Unverified);

        Assert.Equal([(call, 403)], f.Calls.Rejected);
        Assert.Empty(f.Calls.Answered);
    }

    [Fact]
    public void An_extension_entry_does_not_admit_a_caller_who_only_authenticated()
    {
        using var f = Fixture();

        // The digest password is shared by the station's phones: it says nothing about which extension the caller is.
        var byExtension = f.Calls.Incoming("sip:101@anywhere.example", CallerOrigin.Authenticated);
        var byUri = f.Calls.Incoming("sip:concierge@pbx.example", CallerOrigin.Authenticated);

        Assert.Equal([(byExtension, 403)], f.Calls.Rejected);
        Assert.Equal([byUri], f.Calls.Answered);
    }

    [Theory]
    [InlineData(CallerOrigin.Registrar)]
    [InlineData(CallerOrigin.TrustedSource)]
    public void An_extension_entry_admits_a_caller_through_the_registrar_or_a_trusted_source(CallerOrigin origin)
    {
        using var f = Fixture();

        var call = f.Calls.Incoming("sip:101@pbx.example", origin);

        Assert.Equal([call], f.Calls.Answered);
        Assert.Contains(f.Log, e => e.Message.Contains("auto-answered", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sip:concierge@pbx.example")]
    [InlineData("\"Front desk\" <sip:concierge@PBX.example:5061;transport=tls>;tag=88")]
    [InlineData("sip:101@pbx.example")]
    [InlineData("sips:101@10.0.0.1")]
    public void Allowlisted_caller_is_answered(string caller)
    {
        using var f = Fixture();

        var call = f.Calls.Incoming(caller);

        Assert.Equal([call], f.Calls.Answered);
        Assert.Empty(f.Calls.Rejected);
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.InCall));
    }

    [Theory]
    [InlineData("sip:intruder@pbx.example")]
    [InlineData("sip:Concierge@pbx.example")]      // user part is case-sensitive (RFC 3261 §19.1.4)
    [InlineData("sip:concierge@evil.example")]
    [InlineData("sip:1010@pbx.example")]
    [InlineData("tel:+101")]
    [InlineData("")]
    [InlineData("garbage<<<")]
    public void Anyone_else_is_rejected_with_403_before_any_media(string caller)
    {
        using var f = Fixture();

        var call = f.Calls.Incoming(caller);

        Assert.Equal([(call, 403)], f.Calls.Rejected);
        Assert.Empty(f.Calls.Answered);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
    }

    [Fact]
    public void Announcement_beep_plays_when_the_answered_call_is_confirmed()
    {
        using var f = Fixture();

        var call = f.Calls.Incoming("sip:concierge@pbx.example");
        Assert.DoesNotContain(StationTone.Announcement, f.Calls.Tones);
        f.Calls.Confirm(call);

        Assert.Equal(StationTone.Announcement, f.Calls.LastTone);
    }

    [Fact]
    public void No_beep_when_the_announcement_is_off()
    {
        using var f = Fixture(c => c.Incoming.AnnouncementBeep = false);

        var call = f.Calls.Incoming("sip:concierge@pbx.example");
        f.Calls.Confirm(call);

        Assert.DoesNotContain(StationTone.Announcement, f.Calls.Tones);
    }

    [Fact]
    public void Codes_work_in_an_incoming_call()
    {
        using var f = Fixture();
        var call = f.Calls.Incoming("sip:101@pbx.example");
        f.Calls.Confirm(call);

        f.Calls.Keys(call, "1234");

        Assert.True(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Second_caller_gets_busy_while_a_call_is_up()
    {
        using var f = Fixture();
        f.Calls.Incoming("sip:101@pbx.example");

        var second = f.Calls.Incoming("sip:concierge@pbx.example");

        Assert.Equal([(second, 486)], f.Calls.Rejected);
    }

    [Fact]
    public void Caller_gets_busy_while_a_visitor_call_rings()
    {
        using var f = Fixture();
        f.Board.PressButton("button1");

        var call = f.Calls.Incoming("sip:101@pbx.example");

        Assert.Equal([(call, 486)], f.Calls.Rejected);
    }

    [Fact]
    public void Auto_answer_off_refuses_everyone_alike_so_the_answer_says_nothing_about_the_allowlist()
    {
        using var f = Fixture(c => c.Incoming.AutoAnswer = false);

        var allowed = f.Calls.Incoming("sip:101@pbx.example");
        var stranger = f.Calls.Incoming("sip:intruder@pbx.example");

        Assert.Equal([(allowed, 480), (stranger, 480)], f.Calls.Rejected);
        Assert.Empty(f.Calls.Answered);
    }

    [Fact]
    public void Incoming_call_is_ended_at_its_maximum_time()
    {
        using var f = Fixture(c => c.Incoming.MaxCallSeconds = 60);
        var call = f.Calls.Incoming("sip:101@pbx.example");

        f.Seconds(59);
        Assert.Empty(f.Calls.HungUp);
        f.Seconds(1);

        Assert.Equal([call], f.Calls.HungUp);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
    }

    [Fact]
    public void Remote_hang_up_frees_the_station_for_the_next_caller()
    {
        using var f = Fixture();
        var call = f.Calls.Incoming("sip:101@pbx.example");
        f.Calls.End(call);

        var next = f.Calls.Incoming("sip:101@pbx.example");

        Assert.Equal([call, next], f.Calls.Answered);
    }
}
