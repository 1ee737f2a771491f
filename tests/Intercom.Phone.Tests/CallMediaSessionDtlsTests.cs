using System.Net;
using Intercom.Media.Dtls;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Phone.Tests;

/// <summary>
/// DTLS-SRTP between two calls' media on loopback (RFC 5763/5764): keyed by the handshake, audio flows; and when the
/// answer's a=fingerprint is not the certificate that turns up on the media path (someone in the middle), the call's
/// media fails and nothing is taken or sent.
/// </summary>
public sealed class CallMediaSessionDtlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly CallMediaOptions Options = new()
    {
        RtpPortMin = 44000, RtpPortMax = 44999, Formats = [MediaFormat.Pcmu], Srtp = SrtpPolicy.DtlsSrtp, MediaTimeout = TimeSpan.Zero,
    };

    [Fact]
    public async Task Keys_from_the_handshake_carry_the_audio_both_ways()
    {
        using var door = CallMediaSession.Create(IPAddress.Loopback, Options);
        using var phone = CallMediaSession.Create(IPAddress.Loopback, Options);
        var answer = phone.OfferAnswer.AnswerOffer(door.OfferAnswer.CreateOffer(hold: false));
        Assert.True(answer.Success, answer.Error);
        Assert.True(door.OfferAnswer.ApplyAnswer(answer.Answer!).Success);

        await Until(() => !door.Rtp.AwaitingDtls && !phone.Rtp.AwaitingDtls, "both keyed");
        Assert.Equal(DtlsRole.Server, door.Rtp.Dtls!.Role);
        Assert.Equal(DtlsRole.Client, phone.Rtp.Dtls!.Role);
        short[] frame = new short[320];
        for (int i = 0; i < 20; i++)
        {
            door.Stream.SendFrame(frame);
            phone.Stream.SendFrame(frame);
        }

        await Until(() => door.Rtp.PacketsReceived >= 10 && phone.Rtp.PacketsReceived >= 10, "packets both ways");
        Assert.Equal(0, door.Rtp.SrtpFailures);
    }

    [Fact]
    public async Task A_certificate_that_is_not_the_answers_fingerprint_fails_the_media()
    {
        using var door = CallMediaSession.Create(IPAddress.Loopback, Options);
        using var phone = CallMediaSession.Create(IPAddress.Loopback, Options);
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        door.MediaFailed += reason => failed.TrySetResult(reason);
        var answer = phone.OfferAnswer.AnswerOffer(door.OfferAnswer.CreateOffer(hold: false));
        Assert.True(answer.Success, answer.Error);

        // The answer reaches the door with someone else's fingerprint: whoever rewrote it wants to sit on the media path.
        string genuine = DtlsContext.Station.Certificate.Fingerprint.ToString();
        string forged = answer.Answer!.Replace(genuine, DtlsCertificate.Create("mallory").Fingerprint.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(answer.Answer, forged);
        Assert.True(door.OfferAnswer.ApplyAnswer(forged).Success);

        string reason = await failed.Task.WaitAsync(Wait);
        Assert.Contains("does not match", reason, StringComparison.Ordinal);
        Assert.Equal(DtlsState.Failed, door.Rtp.Dtls!.State);
        Assert.Null(door.Rtp.Dtls.Keys);
        Assert.True(door.Rtp.AwaitingDtls);

        // The phone did finish its side (the door's certificate was what it expected) and sends SRTP: the door takes none
        // of it, and sends nothing itself. The phone is keyed when it has read the door's Finished, on its own receive
        // thread, which may come after the door's failure: until then it sends nothing.
        await Until(() => !phone.Rtp.AwaitingDtls, "the phone keyed by its side of the handshake");
        short[] frame = new short[320];
        for (int i = 0; i < 20; i++)
        {
            phone.Stream.SendFrame(frame);
            door.Stream.SendFrame(frame);
        }

        await Until(() => door.Rtp.SrtpFailures >= 10, "the phone's packets refused");
        Assert.Equal(0, door.Rtp.PacketsReceived);
        Assert.Equal(0, door.Rtp.PacketsSent);
        Assert.Equal(0, phone.Rtp.PacketsReceived);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(10);
        }
    }
}
