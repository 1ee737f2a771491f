using System.Net;
using Intercom.Phone;
using Intercom.Media.Sdp;

namespace Intercom.Interop.Tests.Peers;

/// <summary>The station's real SDP side (media negotiator behind the SIP offer/answer interface) on a loopback port.</summary>
public static class TestMedia
{
    public static SdpOfferAnswer Create(params MediaFormat[] formats) => new(new SdpNegotiator(new SdpNegotiatorOptions
    {
        Address = IPAddress.Loopback,
        RtpPort = FreePort.Next() & ~1,
        Formats = formats.Length > 0 ? formats : [MediaFormat.Pcmu, MediaFormat.Pcma, MediaFormat.TelephoneEvent],
    }));
}
