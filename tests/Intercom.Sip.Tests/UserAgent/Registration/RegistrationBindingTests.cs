using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>
/// What the registration tells the account's other requests (issue #15.7): the realm its registrar accepted credentials
/// in and the flow it registered over, so a call's challenge is answered only in that realm and over that flow.
/// </summary>
public class RegistrationBindingTests
{
    [Fact]
    public void Before_an_answer_the_registration_knows_no_realm_and_no_flow()
    {
        using var bench = new RegistrationBench();
        bench.Client.Start();

        Assert.Empty(bench.Client.AuthenticatedRealms);
        Assert.Null(bench.Client.Destination);
    }

    [Fact]
    public void Once_registered_with_credentials_the_registrars_realm_and_flow_are_known()
    {
        using var bench = new RegistrationBench();

        bench.Register();

        Assert.Equal(["example.com"], bench.Client.AuthenticatedRealms);
        Assert.Equal(SipTransportProtocol.Udp, bench.Client.Destination!.Value.Protocol);
        Assert.Equal("192.0.2.10:5060", bench.Client.Destination.Value.EndPoint.ToString());
    }

    [Fact]
    public void A_challenge_alone_teaches_no_realm_only_an_accepted_answer_does()
    {
        using var bench = new RegistrationBench(registrarPassword: "another-password");
        bench.Client.Start();

        bench.Registrar(); // 401 with a challenge
        bench.Registrar(); // our answer refused: another 401

        Assert.NotEqual(Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, bench.State);

        // The registrar refused our credentials: whatever realm it named is not one they are known to belong to.
        Assert.Empty(bench.Client.AuthenticatedRealms);
    }
}
