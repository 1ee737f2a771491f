using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>
/// SIP outbound (RFC 5626) on the registration's side: offered with +sip.instance and reg-id, in use only when the
/// registrar's 2xx says Require: outbound (§4.2.1), the registrar's Flow-Timer bounding the keep-alives (§4.4.1), and a
/// failed flow (no pong within 10 s, §4.4.1; the connection closed) registered again over a new flow at once.
/// </summary>
public sealed class RegistrationOutboundTests
{
    private const string Instance = "urn:uuid:2f0e4b52-8c1d-5a3e-9f6b-0d2c4e6a8b10";

    // As the phone configures an account: a 25 s keep-alive of its own, outbound offered.
    private static RegistrationBench Bench(SipTransportProtocol transport = SipTransportProtocol.Tcp) =>
        new(o => o with { Transport = transport, InstanceId = Instance, RegId = 1, KeepAliveInterval = TimeSpan.FromSeconds(25) });

    private static void Outbound(SipResponse response, int? flowTimer = 15)
    {
        response.Headers.Add(SipHeaderNames.Require, "outbound");
        if (flowTimer is int seconds)
        {
            response.Headers.Add("Flow-Timer", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void RegisterWithOutbound(RegistrationBench bench, int? flowTimer = 15)
    {
        bench.Client.Start();
        Assert.Equal(DigestVerification.Missing, bench.Registrar());
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(edit: r => Outbound(r, flowTimer)));
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    /// <summary>Advances the clock in 100 ms steps until the first ping has gone out (its time is jittered, §4.4.1).</summary>
    private static void AdvanceToFirstPing(RegistrationBench bench)
    {
        for (var i = 0; i < 150 && bench.Transport.KeepAlives.Count == 0; i++)
        {
            bench.AdvanceSeconds(0.1);
        }

        Assert.Single(bench.Transport.KeepAlives);
    }

    [Fact]
    public void The_REGISTER_offers_outbound_with_instance_and_reg_id()
    {
        using var bench = Bench();
        bench.Client.Start();
        var register = bench.LastRegister;
        Assert.Contains("outbound", register.Headers.GetAll(SipHeaderNames.Supported));
        Assert.Contains("path", register.Headers.GetAll(SipHeaderNames.Supported));
        Assert.Equal("\"<" + Instance + ">\"", register.Contacts[0].Parameters.Get("+sip.instance"));
        Assert.Equal("1", register.Contacts[0].Parameters.Get("reg-id"));
        // §4.2.1: ob is for dialog-forming requests, not the REGISTER's Contact.
        Assert.False(register.Contacts[0].Uri.Parameters.Contains("ob"));
    }

    [Fact]
    public void Require_outbound_in_the_2xx_puts_the_registration_on_outbound_and_keepalives_follow_the_Flow_Timer()
    {
        using var bench = Bench();
        RegisterWithOutbound(bench, flowTimer: 15);

        Assert.True(bench.Client.Status.Outbound);
        Assert.Contains("outbound", bench.Client.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("Flow-Timer 15 s", bench.Client.Status.Reason, StringComparison.Ordinal);
        // §4.4.1: at least as often as the Flow-Timer (15 s), although the account asks for 25 s; 80-100 % jitter.
        bench.AdvanceSeconds(11.9);
        Assert.Empty(bench.Transport.KeepAlives);
        bench.AdvanceSeconds(3.1);
        Assert.Single(bench.Transport.KeepAlives);
        bench.Client.OnKeepAlivePong(bench.LastDestination);
        bench.AdvanceSeconds(15);
        Assert.Equal(2, bench.Transport.KeepAlives.Count);
    }

    [Fact]
    public void The_Flow_Timer_holds_even_where_the_account_turned_its_keepalives_off()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp, InstanceId = Instance, RegId = 1, KeepAliveInterval = TimeSpan.Zero });
        RegisterWithOutbound(bench, flowTimer: 20);
        bench.AdvanceSeconds(20);
        Assert.Single(bench.Transport.KeepAlives);
    }

    [Fact]
    public void Without_Require_outbound_the_registration_works_as_before()
    {
        using var bench = Bench();
        bench.Client.Start();
        bench.Registrar();
        // Supported: outbound only says the registrar knows the extension (§4.2.1: Require is the answer that counts).
        bench.Registrar(edit: r =>
        {
            r.Headers.Add(SipHeaderNames.Supported, "outbound");
            r.Headers.Add("Flow-Timer", "15");
        });

        Assert.Equal(RegistrationState.Registered, bench.State);
        Assert.False(bench.Client.Status.Outbound);
        Assert.DoesNotContain("outbound", bench.Client.Status.Reason, StringComparison.Ordinal);
        // The account's own 25 s, not the Flow-Timer: nothing by 19.9 s (a 15 s timer would have sent by 15 s).
        bench.AdvanceSeconds(19.9);
        Assert.Empty(bench.Transport.KeepAlives);
        bench.AdvanceSeconds(5.1);
        Assert.Single(bench.Transport.KeepAlives);
        // No pong watch without outbound: a registrar that never answers pings keeps its registration.
        bench.AdvanceSeconds(10);
        Assert.Empty(bench.Transport.ClosedFlows);
        Assert.Equal(2, bench.Registers.Count);
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    [Fact]
    public void Without_an_instance_id_nothing_is_offered_and_Require_outbound_is_not_taken_as_in_use()
    {
        using var bench = new RegistrationBench(o => o with { Transport = SipTransportProtocol.Tcp });
        RegisterWithOutbound(bench);
        Assert.Empty(bench.LastRegister.Headers.GetAll(SipHeaderNames.Supported));
        Assert.Null(bench.LastRegister.Contacts[0].Parameters.Get("+sip.instance"));
        Assert.False(bench.Client.Status.Outbound);
    }

    [Fact]
    public void A_ping_without_pong_for_10_s_drops_the_flow_and_registers_again_at_once()
    {
        using var bench = Bench();
        RegisterWithOutbound(bench, flowTimer: 15);
        var flow = bench.LastDestination;
        AdvanceToFirstPing(bench);

        bench.AdvanceSeconds(9.9);
        Assert.Equal(2, bench.Registers.Count);
        bench.AdvanceSeconds(0.1);

        Assert.Equal([flow], bench.Transport.ClosedFlows);
        Assert.Equal(3, bench.Registers.Count);
        Assert.Equal(RegistrationState.Registering, bench.State);
        Assert.False(bench.Client.Status.Outbound);
        Assert.StartsWith("no pong on the flow", bench.Client.Status.Reason, StringComparison.Ordinal);

        // The new flow is registered with outbound again.
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(edit: r => Outbound(r)));
        Assert.True(bench.Client.Status.Outbound);
    }

    [Fact]
    public void A_pong_in_time_keeps_the_flow()
    {
        using var bench = Bench();
        RegisterWithOutbound(bench, flowTimer: 15);
        bench.AdvanceSeconds(15);
        bench.AdvanceSeconds(5);
        bench.Client.OnKeepAlivePong(bench.LastDestination);
        bench.AdvanceSeconds(10);
        Assert.Empty(bench.Transport.ClosedFlows);
        Assert.Equal(2, bench.Registers.Count);
        Assert.True(bench.Client.Status.Outbound);
    }

    [Fact]
    public void UDP_flows_have_no_pong_to_wait_for()
    {
        using var bench = Bench(SipTransportProtocol.Udp);
        RegisterWithOutbound(bench, flowTimer: 15);
        Assert.True(bench.Client.Status.Outbound);
        bench.AdvanceSeconds(15);
        bench.AdvanceSeconds(15);
        Assert.Equal(2, bench.Transport.KeepAlives.Count);
        Assert.Empty(bench.Transport.ClosedFlows);
        Assert.Equal(RegistrationState.Registered, bench.State);
    }

    [Fact]
    public void A_closed_outbound_flow_is_registered_again_over_a_new_one_at_once()
    {
        using var bench = Bench();
        RegisterWithOutbound(bench);
        bench.Client.OnFlowClosed(bench.LastDestination);

        Assert.Equal(3, bench.Registers.Count);
        Assert.False(bench.Client.Status.Outbound);
        Assert.Equal(DigestVerification.Accepted, bench.Registrar(edit: r => Outbound(r)));
        Assert.True(bench.Client.Status.Outbound);
    }

    [Fact]
    public void A_learned_public_address_replaces_the_binding_and_removes_the_old_one_without_the_instance()
    {
        using var bench = Bench(SipTransportProtocol.Udp);
        bench.Client.Start();
        bench.Registrar();
        bench.Registrar(edit: r =>
        {
            var via = r.TopVia!.Clone();
            via.Received = "203.0.113.5";
            via.Parameters.Set("rport", "40000");
            r.Headers.Set(SipHeaderNames.Via, via.ToString());
        });

        // RFC 5626 §6: the registrar keys the binding by instance and reg-id, so the new Contact replaces it; the old
        // address is removed by its URI alone, or the expires=0 would remove the binding just made.
        var contacts = bench.LastRegister.Contacts;
        Assert.Equal(2, contacts.Count);
        Assert.Equal("sip:door@203.0.113.5:40000", contacts[0].Uri.ToString());
        Assert.Equal("\"<" + Instance + ">\"", contacts[0].Parameters.Get("+sip.instance"));
        Assert.Equal("0", contacts[1].Parameters.Get("expires"));
        Assert.Null(contacts[1].Parameters.Get("+sip.instance"));
        Assert.Null(contacts[1].Parameters.Get("reg-id"));
    }
}
