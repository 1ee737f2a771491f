using System.Net;
using System.Text;
using Intercom.Media.Dtls;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Station.Calls;
using Intercom.TestSupport.Logging;
using CallEndReason = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Phone.Tests;

/// <summary>
/// A call whose DTLS-SRTP handshake fails ends, and the journal says why: the call's end reports only "Failed", and an
/// installer (or someone looking for an attack) must be able to tell a certificate that is not the SDP's a=fingerprint
/// (someone in the middle, RFC 5763 §5) from a peer that went away.
/// </summary>
public sealed class PhoneDtlsFailureTests
{
    private static readonly TimeSpan Wait = LoopbackCaller.Wait;

    [Fact]
    public async Task A_certificate_that_is_not_the_offers_fingerprint_ends_the_call_and_is_logged_with_the_reason()
    {
        var logs = new CapturedLogLines();
        using var phone = LoopbackCaller.StartStation(SrtpPolicy.DtlsSrtp, logs);
        var incoming = new TaskCompletionSource<CallHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        phone.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == CallEventKind.Incoming)
            {
                incoming.TrySetResult(e.Call);
            }
            else if (e.Kind == CallEventKind.Ended)
            {
                ended.TrySetResult(e.EndReason);
            }
        };

        // The caller's offer reaches the station with someone else's fingerprint: the certificate on the media path (the
        // caller's real one) is then not the one the SDP names.
        using var callerMedia = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
        {
            RtpPortMin = 44000, RtpPortMax = 44999, Formats = [MediaFormat.Pcmu], Srtp = SrtpPolicy.DtlsSrtp, MediaTimeout = TimeSpan.Zero,
        });
        string offer = callerMedia.OfferAnswer.CreateOffer(hold: false);
        string genuine = DtlsContext.Station.Certificate.Fingerprint.ToString();
        string forged = offer.Replace(genuine, DtlsCertificate.Create("mallory").Fingerprint.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(offer, forged);

        using var caller = new LoopbackCaller(phone, "dtls-failure");
        await caller.SendAsync("INVITE", 1, "application/sdp", forged);
        CallHandle call = await incoming.Task.WaitAsync(Wait);
        phone.Calls.Answer(call);

        SipResponse ok = await caller.ReceiveAsync<SipResponse>(r => r.StatusCode == 200);
        caller.ToTag = ok.To?.Tag;
        await caller.SendAsync("ACK", 1, null, "");
        Assert.True(callerMedia.OfferAnswer.ApplyAnswer(Encoding.ASCII.GetString(ok.Body.Span)).Success);

        // The handshake runs and the station finds the wrong certificate: it hangs up, and says so with the call's id.
        await caller.ReceiveAsync<SipRequest>(r => r.Method == SipMethods.Bye);
        Assert.Equal(CallEndReason.Failed, await ended.Task.WaitAsync(Wait));
        string line = Assert.Single(logs.Lines, l => l.Contains("secure media failed", StringComparison.Ordinal));
        Assert.Contains($"call {call.Id}:", line, StringComparison.Ordinal);
        Assert.Contains("does not match its a=fingerprint", line, StringComparison.Ordinal);
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
    }
}
