using System.Net;
using System.Text;
using Intercom.Media.Ice;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "sdp": <see cref="SessionDescription.TryParse"/> on the bytes as UTF-8, the written form parsed again, and
/// the offer answered by an <see cref="SdpNegotiator"/> that accepts SDES-SRTP (what an incoming INVITE's body goes
/// through), and each stream's ICE attributes read (RFC 8839), with every candidate read written and read back the same.
/// Any exception escaping is a finding; so is a description that parses but whose written form does not.
/// </summary>
internal static class SdpFuzzTarget
{
    private static readonly byte[] Key = Enumerable.Range(1, SdesCryptoAttribute.KeyAndSaltLength).Select(i => (byte)i).ToArray();

    public static void Run(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        if (!SessionDescription.TryParse(text, out SessionDescription? description, out _))
        {
            return;
        }

        string written = description.ToString();
        if (!SessionDescription.TryParse(written, out _, out string? error))
        {
            throw new InvalidOperationException("A parsed SDP did not parse after writing: " + error);
        }

        foreach (MediaDescription media in description.Media)
        {
            if (IceMediaParameters.TryRead(description, media, out IceMediaParameters? ice, out _))
            {
                _ = ice.ContainsDefaultDestination(description, media);
                foreach (IceCandidate candidate in ice.Candidates)
                {
                    string value = candidate.ToString();
                    if (!IceCandidate.TryParse(value, out IceCandidate? again, out _) || again.ToString() != value)
                    {
                        throw new InvalidOperationException("A candidate read did not read back the same after writing: " + value);
                    }
                }
            }
        }

        var negotiator = new SdpNegotiator(new SdpNegotiatorOptions
        {
            Address = IPAddress.Loopback,
            RtpPort = 40000,
            Srtp = SrtpPolicy.Optional,
            SrtpMasterKey = Key,
        });
        _ = negotiator.CreateAnswer(text);
        _ = negotiator.Media;
    }
}
