using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>Failures: back-off (RFC 5626 §4.5), wrong password, 403, 503 Retry-After, timeouts, NAT address learning, keepalives.</summary>
public class RegistrationFailureTests
{
    [Fact]
    public void Backoff_doubles_from_the_base_with_jitter_and_is_capped()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        var delays = new List<TimeSpan>();
        for (var failure = 1; failure <= 9; failure++)
        {
            var sentBefore = bench.Registers.Count;
            bench.Respond(500);
            Assert.Equal(RegistrationState.Retrying, bench.State);
            var delay = bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow();
            delays.Add(delay);

            // Upper bound min(1800 s, 30 s · 2^(n−1)); lower bound half of it.
            var ceiling = TimeSpan.FromSeconds(Math.Min(1800, 30 * Math.Pow(2, failure - 1)));
            Assert.InRange(delay, ceiling / 2, ceiling);

            // Nothing before the delay, one REGISTER at it.
            bench.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(sentBefore, bench.Registers.Count);
            bench.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(sentBefore + 1, bench.Registers.Count);
        }

        // Jittered: not simply the ceilings.
        Assert.Contains(delays, d => d.TotalSeconds % 15 != 0);
        Assert.All(delays.Skip(7), d => Assert.True(d <= TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void Success_resets_the_backoff()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Respond(500);
        bench.Advance(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow());
        bench.Respond(500);
        Assert.InRange(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow(), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        bench.Advance(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow());
        bench.Registrar();
        bench.Registrar();
        Assert.Equal(RegistrationState.Registered, bench.State);
        bench.Client.Reregister();
        bench.Respond(500);
        Assert.InRange(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow(), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Retry_After_of_a_503_is_honoured()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Respond(503, r => r.Headers.Add(SipHeaderNames.RetryAfter, "300 (maintenance);duration=60"));
        Assert.Equal(TimeSpan.FromSeconds(300), bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow());
        Assert.Equal(503, bench.Client.Status.StatusCode);
    }

    [Fact]
    public void No_answer_is_retried_with_backoff()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.AdvanceSeconds(32);
        Assert.Equal(RegistrationState.Retrying, bench.State);
        Assert.Contains("no answer", bench.Client.Status.Reason, StringComparison.Ordinal);
        Assert.Null(bench.Client.Status.StatusCode);
        bench.Advance(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow());
        Assert.Equal(2, bench.Registers.Count);
    }

    [Fact]
    public void Wrong_password_gives_AuthenticationFailed_after_a_bounded_number_of_REGISTERs()
    {
        using var bench = new RegistrationBench(o => o with { MaxAuthenticationAttempts = 3, AuthenticationRetryDelay = TimeSpan.FromMinutes(30) }, registrarPassword: "the-real-one");
        bench.Client.Start();
        for (var round = 1; round <= 3; round++)
        {
            Assert.Equal(DigestVerification.Missing, bench.Registrar());
            Assert.Equal(DigestVerification.WrongCredentials, bench.Registrar());
            Assert.Equal(RegistrationState.AuthenticationFailed, bench.State);
            Assert.Equal(round * 2, bench.Registers.Count);
            Assert.Contains("credentials refused", bench.Client.Status.Reason, StringComparison.Ordinal);
            if (round < 3)
            {
                // Silent for the whole hold-off, then one more round.
                bench.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromMilliseconds(1));
                Assert.Equal(round * 2, bench.Registers.Count);
                bench.Advance(TimeSpan.FromMilliseconds(1));
                Assert.Equal((round * 2) + 1, bench.Registers.Count);
            }
        }

        Assert.Null(bench.Client.Status.NextAttemptAt);
        Assert.Contains("gave up after 3 attempts", bench.Client.Status.Reason, StringComparison.Ordinal);
        for (var hour = 0; hour < 48; hour++)
        {
            bench.Advance(TimeSpan.FromHours(1));
        }

        bench.Client.Reregister();
        Assert.Equal(6, bench.Registers.Count);

        // A configuration change (a new start) tries again, now with the right password.
        bench.RegistrarPassword = RegistrationBench.Password;
        bench.Client.Start();
        Assert.Equal(DigestVerification.Missing, bench.Registrar());
        Assert.Equal(DigestVerification.Accepted, bench.Registrar());
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    [Fact]
    public void Forbidden_after_credentials_is_an_authentication_failure()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Registrar();
        bench.Respond(403);
        Assert.Equal(RegistrationState.AuthenticationFailed, bench.State);
        Assert.Equal("403 Forbidden after credentials", bench.Client.Status.Reason[..31]);
        Assert.Equal(2, bench.Registers.Count);
    }

    [Fact]
    public void Challenge_without_configured_credentials_fails_once()
    {
        using var bench = new RegistrationBench(o => o with { Credentials = null });
        bench.Client.Start();
        bench.Registrar();
        Assert.Equal(RegistrationState.AuthenticationFailed, bench.State);
        Assert.Single(bench.Registers);
    }

    [Fact]
    public void Contact_is_updated_from_received_and_rport_and_the_old_binding_removed()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Registrar();
        bench.Registrar(edit: r => SetVia(r, "203.0.113.5", 40000));
        Assert.Equal(RegistrationState.Registering, bench.State);
        var update = bench.LastRegister;
        Assert.Equal(3, bench.Registers.Count);
        Assert.Equal(
            ["<sip:door@203.0.113.5:40000>;expires=3600", "<sip:door@192.0.2.1:5070>;expires=0"],
            update.Contacts.Select(c => c.ToString()));
        Assert.True(update.Headers.Contains(SipHeaderNames.Authorization));

        bench.Registrar(edit: r => SetVia(r, "203.0.113.5", 40000));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal("sip:door@203.0.113.5:40000", bench.Client.Status.Contact!.ToString());

        // Refreshes keep the learned address and no longer carry the old one.
        bench.AdvanceSeconds(1800);
        Assert.Equal(["<sip:door@203.0.113.5:40000>;expires=3600"], bench.LastRegister.Contacts.Select(c => c.ToString()));
    }

    [Fact]
    public void Rport_equal_to_our_port_changes_nothing_and_a_flapping_address_cannot_loop()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Registrar();
        bench.Registrar(edit: r => SetVia(r, null, FakeRegistrarTransport.LocalPort));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal(2, bench.Registers.Count);

        using var flapping = new RegistrationBench();
        flapping.Client.Start();
        flapping.Registrar();
        for (var port = 40000; port < 40010 && flapping.State != RegistrationState.Registered; port++)
        {
            var p = port;
            flapping.Registrar(edit: r => SetVia(r, "203.0.113.5", p));
        }

        Assert.Equal(RegistrationState.Registered, flapping.State);
        Assert.True(flapping.Registers.Count <= 2 + 3, $"{flapping.Registers.Count} REGISTERs");
    }

    [Fact]
    public void On_TCP_an_ephemeral_rport_alone_does_not_change_the_contact()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp });
        bench.Client.Start();
        Assert.Equal("sip:door@192.0.2.1:5070;transport=tcp", bench.LastRegister.Contacts[0].Uri.ToString());
        bench.Registrar();
        bench.Registrar(edit: r => SetVia(r, null, 51234));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal(2, bench.Registers.Count);
    }

    [Fact]
    public void Keepalives_are_CRLF_on_streams_at_80_to_100_percent_of_the_interval()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        bench.Register();
        bench.AdvanceSeconds(24);
        Assert.Empty(bench.Transport.KeepAlives);
        bench.AdvanceSeconds(6);
        Assert.Single(bench.Transport.KeepAlives);
        Assert.Equal(SipTransportProtocol.Tcp, bench.Transport.KeepAlives[0].Protocol);
        bench.AdvanceSeconds(30);
        Assert.Equal(2, bench.Transport.KeepAlives.Count);
        Assert.Equal(2, bench.Client.KeepAlivesSent);
    }

    [Fact]
    public void Lost_flow_on_keepalive_re_registers()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        bench.Register();
        bench.Transport.FlowAlive = false;
        bench.AdvanceSeconds(30);
        Assert.Equal(3, bench.Registers.Count);
        Assert.Equal(RegistrationState.Registering, bench.State);
    }

    [Fact]
    public void Closed_connection_to_the_registrar_re_registers_at_once_and_other_flows_do_not()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp });
        bench.Register();
        var registrar = bench.LastDestination;
        bench.Client.OnFlowClosed(new SipDestination(SipTransportProtocol.Tcp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.51.100.99"), 5060)));
        Assert.Equal(2, bench.Registers.Count);
        bench.Client.OnFlowClosed(registrar);
        Assert.Equal(3, bench.Registers.Count);
        Assert.Equal("connection to the registrar closed", bench.Statuses[^1].Reason);
        Assert.Equal(DigestVerification.Accepted, bench.Registrar());
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    [Fact]
    public void Registrar_Flow_Timer_sets_the_keepalive_interval()
    {
        using var bench = new RegistrationBench(o => o with { KeepAliveInterval = null });
        bench.Client.Start();
        bench.Registrar();
        bench.Registrar(edit: r => r.Headers.Add("Flow-Timer", "10"));
        bench.AdvanceSeconds(10);
        Assert.Single(bench.Transport.KeepAlives);
        Assert.Equal(SipTransportProtocol.Udp, bench.Transport.KeepAlives[0].Protocol);
    }

    [Fact]
    public void Udp_OPTIONS_keepalive_without_answer_re_registers()
    {
        using var bench = new RegistrationBench(o => o with { KeepAliveInterval = TimeSpan.FromSeconds(20), UdpKeepAlive = SipKeepAliveMethod.Options });
        bench.Register();
        bench.AdvanceSeconds(20);
        var options = Assert.Single(bench.Transport.Sent, s => s.Request.Method == SipMethods.Options && s.Request.CSeq!.Value.Number == 1);
        Assert.Equal("sip:192.0.2.10", options.Request.RequestUri.ToString());
        Assert.Empty(bench.Transport.KeepAlives);

        // Timer F (32 s) without an answer: the flow is dead, register again.
        bench.AdvanceSeconds(32);
        Assert.Equal(3, bench.Registers.Count);
    }

    [Fact]
    public void Udp_OPTIONS_keepalive_answered_through_a_new_nat_mapping_registers_the_new_address_at_once()
    {
        using var bench = new RegistrationBench(o => o with { KeepAliveInterval = TimeSpan.FromSeconds(20), UdpKeepAlive = SipKeepAliveMethod.Options });
        bench.Client.Start();
        bench.Registrar();
        bench.Registrar(edit: r => SetVia(r, "203.0.113.5", 40000));
        bench.Registrar(edit: r => SetVia(r, "203.0.113.5", 40000));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal(3, bench.Registers.Count);

        // The first keep-alive comes back through the same mapping: nothing to do.
        bench.AdvanceSeconds(20);
        var first = Assert.Single(bench.Transport.Sent, s => s.Request.Method == SipMethods.Options).Request;
        bench.Respond(200, r => SetVia(r, "203.0.113.5", 40000), first);
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal(3, bench.Registers.Count);

        // The router restarted: the next keep-alive left through another public port. The binding at 40000 is dead.
        bench.AdvanceSeconds(20);
        var second = bench.Transport.Sent.Last(s => s.Request.Method == SipMethods.Options).Request;
        Assert.NotEqual(first.CallId, second.CallId);
        bench.Respond(200, r => SetVia(r, "203.0.113.5", 41234), second);
        Assert.Equal(RegistrationState.Registering, bench.State);
        Assert.Contains("flow failed", bench.Statuses[^1].Reason, StringComparison.Ordinal);
        Assert.Contains("203.0.113.5:41234", bench.Statuses[^1].Reason, StringComparison.Ordinal);
        Assert.Equal(4, bench.Registers.Count);
        Assert.Equal(
            ["<sip:door@203.0.113.5:41234>;expires=3600", "<sip:door@203.0.113.5:40000>;expires=0"],
            bench.LastRegister.Contacts.Select(c => c.ToString()));

        bench.Registrar(edit: r => SetVia(r, "203.0.113.5", 41234));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal("sip:door@203.0.113.5:41234", bench.Client.Status.Contact!.ToString());
        Assert.Equal(4, bench.Registers.Count);
    }

    private static void SetVia(SipResponse response, string? received, int rport)
    {
        var via = response.TopVia!.Clone();
        if (received is not null)
        {
            via.Received = received;
        }

        via.Parameters.Set("rport", rport.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Set(SipHeaderNames.Via, via.ToString());
    }
}
