using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>RFC 3261 §10.2 registration: request form, authentication, refresh, 423, unregister, status.</summary>
public class RegistrationClientTests
{
    [Fact]
    public void First_REGISTER_has_the_AOR_in_To_and_From_and_our_contact_with_expires()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        var register = bench.LastRegister;
        Assert.Equal("sip:192.0.2.10", register.RequestUri.ToString());
        Assert.Equal("sip:door@example.com", register.To!.Uri.ToString());
        Assert.Null(register.To.Tag);
        Assert.Equal("sip:door@example.com", register.From!.Uri.ToString());
        Assert.NotNull(register.From.Tag);
        Assert.Equal(new SipCSeq(1, "REGISTER"), register.CSeq);
        var contact = Assert.Single(register.Contacts);
        Assert.Equal("sip:door@192.0.2.1:5070", contact.Uri.ToString());
        Assert.Equal("3600", contact.Parameters.Get("expires"));
        Assert.Equal(3600u, register.Expires);
        Assert.Equal(70, register.MaxForwards);
        Assert.False(register.Headers.Contains(SipHeaderNames.Authorization));
        Assert.Equal(SipTransportProtocol.Udp, bench.LastDestination.Protocol);
        Assert.Equal("192.0.2.10:5060", bench.LastDestination.EndPoint.ToString());
        Assert.Equal(RegistrationState.Registering, bench.State);
    }

    [Fact]
    public void Challenge_is_answered_in_the_same_Call_ID_with_the_next_CSeq_and_the_binding_is_held_until_expiry()
    {
        using var bench = new RegistrationBench();
        var start = bench.Time.GetUtcNow();
        bench.Register(granted: 1800);
        var registers = bench.Registers;
        Assert.Equal(2, registers.Count);
        Assert.Equal([1u, 2u], registers.Select(r => r.CSeq!.Value.Number));
        Assert.All(registers, r => Assert.Equal(bench.Client.CallId, r.CallId));
        Assert.Equal(registers[0].From!.Tag, registers[1].From!.Tag);
        Assert.True(DigestAuthorization.TryParse(registers[1].Headers.Get(SipHeaderNames.Authorization)!, out var credentials));
        Assert.Equal(("door", "SHA-256", "00000001"), (credentials.Username, credentials.AlgorithmName, credentials.NonceCountText));

        var status = bench.Client.Status;
        Assert.Equal(start + TimeSpan.FromSeconds(1800), status.ExpiresAt);
        Assert.Equal(200, status.StatusCode);
        Assert.Equal("sip:door@192.0.2.1:5070", status.Contact!.ToString());
        Assert.Equal([RegistrationState.Registering, RegistrationState.Registered], bench.Statuses.Select(s => s.State).Distinct());
    }

    [Theory]
    [InlineData(3600u, 1800)]
    [InlineData(60u, 30)]
    [InlineData(8u, 5)]
    [InlineData(2u, 5)]
    public void Refreshes_at_half_the_granted_expiry_but_not_under_the_floor(uint granted, int refreshSeconds)
    {
        using var bench = new RegistrationBench();
        bench.Register(granted);
        bench.Advance(TimeSpan.FromSeconds(refreshSeconds) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, bench.Registers.Count);
        bench.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, bench.Registers.Count);

        // The refresh carries credentials before being asked (nc=2) and the registrar accepts it at once.
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(granted));
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.Equal(3u, bench.LastRegister.CSeq!.Value.Number);
    }

    [Fact]
    public void Expires_minus_five_seconds_wins_when_smaller_than_half()
    {
        using var bench = new RegistrationBench(o => o with { MinimumRefreshInterval = TimeSpan.FromSeconds(1) });
        bench.Register(granted: 9);
        bench.Advance(TimeSpan.FromMilliseconds(3999));
        Assert.Equal(2, bench.Registers.Count);
        bench.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, bench.Registers.Count);
    }

    [Fact]
    public void Maximum_refresh_interval_caps_the_refresh()
    {
        using var bench = new RegistrationBench(o => o with { MaximumRefreshInterval = TimeSpan.FromSeconds(10) });
        bench.Register(granted: 60);
        bench.AdvanceSeconds(10);
        Assert.Equal(3, bench.Registers.Count);
        bench.Registrar(60);
        Assert.Equal(bench.Time.GetUtcNow() + TimeSpan.FromSeconds(60), bench.Client.Status.ExpiresAt);
        Assert.Equal(bench.Time.GetUtcNow() + TimeSpan.FromSeconds(10), bench.Client.Status.NextAttemptAt);
    }

    [Fact]
    public void Granted_expiry_is_read_from_our_contact_then_from_the_Expires_header()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Registrar();
        var start = bench.Time.GetUtcNow();
        bench.Respond(200, r =>
        {
            r.Headers.Add(SipHeaderNames.Contact, "<sip:other-device@198.51.100.1>;expires=100");
            r.Headers.Add(SipHeaderNames.Contact, "<sip:door@192.0.2.1:5070>;expires=600");
            r.Headers.Add(SipHeaderNames.Expires, "900");
        });
        Assert.Equal(start + TimeSpan.FromSeconds(600), bench.Client.Status.ExpiresAt);

        bench.AdvanceSeconds(300);
        bench.Respond(200, r => r.Headers.Add(SipHeaderNames.Expires, "120"));
        Assert.Equal(bench.Time.GetUtcNow() + TimeSpan.FromSeconds(120), bench.Client.Status.ExpiresAt);
    }

    [Fact]
    public void Interval_too_brief_is_retried_with_Min_Expires()
    {
        using var bench = new RegistrationBench(o => o with { Expires = TimeSpan.FromSeconds(60) });
        bench.Register();
        bench.Client.Reregister();
        bench.Respond(423, r => r.Headers.Add(SipHeaderNames.MinExpires, "1800"));
        var retry = bench.LastRegister;
        Assert.Equal(1800u, retry.Expires);
        Assert.Equal("1800", retry.Contacts[0].Parameters.Get("expires"));
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(1800));
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    [Fact]
    public void Interval_too_brief_without_a_larger_Min_Expires_is_a_failure_not_a_loop()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();
        bench.Respond(423, r => r.Headers.Add(SipHeaderNames.MinExpires, "60"));
        Assert.Equal(RegistrationState.Retrying, bench.State);
        Assert.Single(bench.Registers);
        Assert.StartsWith("423", bench.Client.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_nonce_on_refresh_is_retried_silently()
    {
        using var bench = new RegistrationBench(nonceLifetime: TimeSpan.FromMinutes(5));
        bench.Register(granted: 1200);
        bench.Statuses.Clear();

        // The refresh comes 10 minutes later; the verifier's nonces live 5.
        bench.AdvanceSeconds(600);
        Assert.Equal(DigestVerification.Stale, bench.Registrar(1200));
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(1200));
        Assert.Equal(4, bench.Registers.Count);
        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.DoesNotContain(bench.Statuses, s => s.State is RegistrationState.AuthenticationFailed or RegistrationState.Retrying);
    }

    [Fact]
    public void Unregisters_with_expires_zero_on_stop()
    {
        using var bench = new RegistrationBench();
        bench.Register();
        var stopped = bench.Client.StopAsync();
        Assert.False(stopped.IsCompleted);
        Assert.Equal(RegistrationState.Unregistering, bench.State);
        var unregister = bench.LastRegister;
        Assert.Equal(0u, unregister.Expires);
        Assert.Equal("0", Assert.Single(unregister.Contacts).Parameters.Get("expires"));
        Assert.False(unregister.IsContactWildcard);
        Assert.Equal(bench.Client.CallId, unregister.CallId);
        Assert.Equal(3u, unregister.CSeq!.Value.Number);
        Assert.Equal(DigestVerification.Accepted, bench.Registrar());
        Assert.True(stopped.IsCompletedSuccessfully);
        Assert.Equal(RegistrationState.Stopped, bench.State);
        Assert.Null(bench.Client.Status.ExpiresAt);

        // Nothing more, ever.
        bench.AdvanceSeconds(7200);
        Assert.Equal(3, bench.Registers.Count);
    }

    [Fact]
    public void Unregister_answers_a_challenge_too()
    {
        using var bench = new RegistrationBench();
        bench.Register();
        var stopped = bench.Client.StopAsync();
        bench.Respond(401, r => bench.Verifier.AddChallenge(r));
        Assert.Equal(4, bench.Registers.Count);
        Assert.Equal(0u, bench.LastRegister.Expires);
        Assert.Equal(DigestVerification.Accepted, bench.Registrar());
        Assert.True(stopped.IsCompletedSuccessfully);
    }

    [Fact]
    public void Stop_before_any_binding_sends_nothing()
    {
        using var bench = new RegistrationBench();
        Assert.True(bench.Client.StopAsync().IsCompletedSuccessfully);
        Assert.Empty(bench.Registers);
        Assert.Equal(RegistrationState.Stopped, bench.State);
    }

    [Fact]
    public void Outbound_proxy_gets_the_request_with_a_loose_Route_and_instance_id_and_reg_id_are_sent()
    {
        using var bench = new RegistrationBench(o => o with
        {
            OutboundProxy = SipUri.Parse("sip:192.0.2.20:5080;transport=tcp"),
            InstanceId = "urn:uuid:00000000-0000-1000-8000-000a95a0e128",
            RegId = 1,
        });
        bench.Client.Start();
        var register = bench.LastRegister;
        Assert.Equal("sip:192.0.2.10", register.RequestUri.ToString());
        var route = Assert.Single(register.Routes);
        Assert.True(route.Uri.IsLooseRouter);
        Assert.Equal(SipTransportProtocol.Tcp, bench.LastDestination.Protocol);
        Assert.Equal("192.0.2.20:5080", bench.LastDestination.EndPoint.ToString());
        var contact = register.Contacts[0];
        Assert.Equal("tcp", contact.Uri.Transport);
        Assert.Equal("\"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>\"", contact.Parameters.Get("+sip.instance"));
        Assert.Equal("1", contact.Parameters.Get("reg-id"));
        Assert.Contains("outbound", register.Headers.Get(SipHeaderNames.Supported)!, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_event_reports_each_change_with_a_reason()
    {
        using var bench = new RegistrationBench();
        bench.Register();
        Assert.Equal(RegistrationState.Registering, bench.Statuses[0].State);
        Assert.Equal("200 OK", bench.Statuses[^1].Reason);
        Assert.Equal(bench.Client.Status, bench.Statuses[^1]);
    }
}
