using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Phone;

/// <summary>
/// One SIP account as its outgoing calls use it: identity, route, transport, SRTP policy and credentials, always taken
/// together from the same account so that a call never mixes one account's keys or password with another's route.
/// </summary>
public sealed class CallAccount
{
    /// <summary>The account's "id" in the configuration (empty for the station's own address when no account exists).</summary>
    public string Id { get; init; } = "";

    public required SipNameAddress Identity { get; init; }

    /// <summary>The domain extensions are dialled on ("12" → sip:12@domain).</summary>
    public required string Domain { get; init; }

    /// <summary>
    /// Where every call of the account goes first (RFC 3261 §8.1.2): the configured outbound proxy, or for a TCP/TLS
    /// account its registrar, so the call takes the account's flow and transport.
    /// </summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>The transport the account's calls are bound to (no fall-back to another); null: RFC 3263 decides (UDP accounts).</summary>
    public SipTransportProtocol? Transport { get; init; }

    /// <summary>SRTP by SDES for the account's calls (RFC 4568; the keys only ever travel over TLS).</summary>
    public SrtpPolicy Srtp { get; init; } = SrtpPolicy.Disabled;

    /// <summary>
    /// Answers 401/407 challenges for this account (digest credentials bound to its registrar's realm and flow): the
    /// request to re-send, the challenge, and where the challenged request went.
    /// </summary>
    public Func<SipRequest, SipResponse, SipDestination, bool>? Authorize { get; init; }

    /// <summary>
    /// True when a request over this transport from this address came through one of the account's servers (the
    /// registrar or proxy of its registration): how an incoming call is tied to the account whose binding it reached.
    /// Null for an account that does not register.
    /// </summary>
    public Func<SipTransportProtocol, System.Net.IPAddress, bool>? CameThroughServer { get; init; }

    /// <summary>The account's STUN use for its calls' RTP (accounts[].nat.stun); null: the SDP carries the local address.</summary>
    public StunMediaMapping? Stun { get; init; }

    /// <summary>
    /// The Contact the account's registration holds now (behind a NAT: the public address the registrar's received/rport
    /// showed, RFC 3581 §4), which the account's calls use as their Contact too; null while not registered, or no registration.
    /// </summary>
    public Func<SipUri?>? RegisteredContact { get; init; }

    /// <summary>Hosts (with their port, if any) that are this account's: its domain, registrar and outbound proxy.</summary>
    public IReadOnlyList<SipUri> Servers { get; init; } = [];

    /// <summary>True when <paramref name="target"/> is on one of this account's servers (so a call to it is the account's).</summary>
    public bool Serves(SipUri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var server in Servers)
        {
            if (string.Equals(server.Host, target.Host, StringComparison.OrdinalIgnoreCase)
                && (server.Port is null || target.Port is null || server.Port == target.Port))
            {
                return true;
            }
        }

        return false;
    }
}
