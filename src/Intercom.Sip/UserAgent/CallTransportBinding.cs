using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// Keeps an outgoing call on the transport its account demands: the next hop is located over that transport only (a TLS
/// account never falls back to UDP or TCP, RFC 3261 §26.2, RFC 5630 §3.1.2), and an offer carrying SDES keys (a=crypto,
/// RFC 4568 §8.3: "MUST only be used ... with a secure transport") goes over TLS or not at all.
/// </summary>
internal static partial class CallTransportBinding
{
    private static readonly byte[] Crypto = Encoding.ASCII.GetBytes("a=crypto:");

    /// <summary>
    /// The URI to locate for <paramref name="nextHop"/> over <paramref name="transport"/>: its transport parameter set
    /// (RFC 3263 §4.1 then uses it); a sips URI already means TLS and stays as it is.
    /// </summary>
    public static SipUri LocateUri(SipUri nextHop, SipTransportProtocol? transport)
    {
        if (transport is not { } required || nextHop.IsSecure)
        {
            return nextHop;
        }

        var uri = nextHop.Clone();
        uri.Parameters.Set("transport", required.ToViaToken().ToLowerInvariant());
        return uri;
    }

    /// <summary>The protocol a request of the call must use: the account's, and TLS whenever its body carries SDES keys.</summary>
    public static SipTransportProtocol? Required(SipTransportProtocol? account, ReadOnlySpan<byte> body) =>
        CarriesSdesKeys(body) ? SipTransportProtocol.Tls : account;

    /// <summary>The destinations of <paramref name="located"/> that use <paramref name="required"/> (all when null).</summary>
    public static IReadOnlyList<SipDestination> Allowed(IReadOnlyList<SipDestination> located, SipTransportProtocol? required)
    {
        if (required is not { } protocol)
        {
            return located;
        }

        var allowed = new List<SipDestination>(located.Count);
        foreach (var destination in located)
        {
            if (destination.Protocol == protocol)
            {
                allowed.Add(destination);
            }
        }

        return allowed;
    }

    /// <summary>True when an SDP body holds an SDES key line (RFC 4568 §9.1 "a=crypto:").</summary>
    public static bool CarriesSdesKeys(ReadOnlySpan<byte> body) => body.IndexOf(Crypto) >= 0;

    [LoggerMessage(Level = LogLevel.Error, Message = "call to {Target} not placed: no {Transport} destination for {NextHop} (the account's transport; SDES keys never go in clear)")]
    public static partial void LogNoBoundDestination(ILogger logger, string target, string transport, string nextHop);
}
