using System.Net;
using System.Threading.Channels;
using Intercom.Phone;
using Intercom.Media.Sdp;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Web.Tests;

/// <summary>A resident's phone on loopback: a second SIP user agent that records the calls it gets and answers on demand.</summary>
internal sealed class TestPhone : IDisposable
{
    private readonly SipStack _stack;
    private readonly CallMediaSession _media;
    private readonly Channel<SipCall> _calls = Channel.CreateUnbounded<SipCall>();

    public TestPhone(string user, int rtpBase)
    {
        _stack = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = user, Product = "web-test-phone" } });
        var listener = _stack.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
        Uri = $"sip:{user}@127.0.0.1:{listener.LocalEndPoint.Port}";
        _media = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions { RtpPortMin = rtpBase, RtpPortMax = rtpBase + 999, Formats = [MediaFormat.Pcmu] });
        _stack.Agent.IncomingCall += call =>
        {
            call.Ring();
            _calls.Writer.TryWrite(call);
        };
    }

    public string Uri { get; }

    /// <summary>The next call that reaches this phone (bounded wait).</summary>
    public async Task<SipCall> NextCallAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool HasCall => _calls.Reader.TryPeek(out _);

    public void Answer(SipCall call) => call.Answer(_media.OfferAnswer);

    /// <summary>Keys digits in an answered call as SIP INFO (application/dtmf-relay), one request per digit.</summary>
    public static async Task KeyAsync(SipCall call, string digits)
    {
        foreach (var digit in digits)
        {
            var response = await call.SendInfo("application/dtmf-relay", System.Text.Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n")).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(200, response.StatusCode);
        }
    }

    public void Dispose()
    {
        _media.Dispose();
        _stack.Dispose();
    }
}
