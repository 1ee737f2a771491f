using System.Net;
using Intercom.Media.Codecs;
using Intercom.Media.Dtmf;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;

namespace Intercom.Calls;

/// <summary>
/// The media side of one call: an RTP session on a port from the configured range, the SDP negotiator that describes it,
/// RFC 4733 digits from the peer, and the station's outgoing audio paced every packet time.
/// </summary>
public sealed class CallMediaSession : IRtpPacketReceiver, IDisposable
{
    private readonly RtpSession _rtp;
    private readonly TelephoneEventReceiver _events = new();
    private readonly Func<Span<short>, int>? _source;
    private readonly object _gate = new();
    private readonly short[] _pcm = new short[8000 * 60 / 1000];
    private readonly byte[] _payload = new byte[8000 * 60 / 1000];
    private IAudioEncoder? _encoder;
    private ITimer? _sender;
    private int _telephoneEventType = -1;
    private byte _sendPayloadType;
    private int _samplesPerPacket;
    private uint _timestamp;
    private bool _started;
    private bool _disposed;

    private CallMediaSession(RtpSession rtp, SdpOfferAnswer offerAnswer, Func<Span<short>, int>? source)
    {
        _rtp = rtp;
        OfferAnswer = offerAnswer;
        _source = source;
        offerAnswer.MediaChanged += Apply;
    }

    /// <summary>The SIP side's offer/answer for this call.</summary>
    public SdpOfferAnswer OfferAnswer { get; }

    public RtpSession Rtp => _rtp;

    /// <summary>A digit the peer sent as an RFC 4733 telephone-event, reported once per event, on the RTP receive thread.</summary>
    public event Action<char>? DigitReceived;

    /// <param name="address">Our media address as the peer must see it.</param>
    /// <param name="formats">Codecs in preference order (telephone-event is added).</param>
    /// <param name="source">Fills a frame of 8 kHz PCM for the peer and returns the samples written; null sends silence.</param>
    public static CallMediaSession Create(IPAddress address, int portMin, int portMax, IReadOnlyList<MediaFormat> formats, int packetTimeMs,
        TimeProvider time, Func<Span<short>, int>? source = null)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var rtp = RtpSession.Bind(new RtpSessionOptions { LocalAddress = address, PortRangeStart = portMin, PortRangeEnd = portMax, Time = time });
        var negotiator = new SdpNegotiator(new SdpNegotiatorOptions
        {
            Address = address,
            RtpPort = rtp.RtpPort,
            Formats = [.. formats, MediaFormat.TelephoneEvent],
            PacketTime = packetTimeMs,
        });
        return new CallMediaSession(rtp, new SdpOfferAnswer(negotiator), source);
    }

    private void Apply(NegotiatedMedia media)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _rtp.Apply(media);
            Volatile.Write(ref _telephoneEventType, media.ReceiveTelephoneEventPayloadType ?? -1);
            _sendPayloadType = (byte)media.SendFormat.PayloadType;
            _samplesPerPacket = media.SendFormat.ClockRate / 1000 * Math.Clamp(media.PacketTime, 10, 60);
            _encoder?.Dispose();
            _encoder = media.SendFormat.EncodingName.ToUpperInvariant() switch
            {
                "PCMU" => new G711Encoder(aLaw: false),
                "PCMA" => new G711Encoder(aLaw: true),
                _ => null,
            };
            if (!_started)
            {
                _started = true;
                _rtp.Start(this);
            }

            _sender?.Dispose();
            _sender = (media.Direction & MediaDirection.SendOnly) != 0 && _encoder is not null
                ? TimeProvider.System.CreateTimer(static s => ((CallMediaSession)s!).SendFrame(), this, TimeSpan.Zero, TimeSpan.FromMilliseconds(media.PacketTime))
                : null;
        }
    }

    private void SendFrame()
    {
        lock (_gate)
        {
            if (_disposed || _encoder is null)
            {
                return;
            }

            var frame = _pcm.AsSpan(0, _samplesPerPacket);
            var filled = _source?.Invoke(frame) ?? 0;
            frame[filled..].Clear();
            var length = _encoder.Encode(frame, _payload);
            _rtp.Send(_sendPayloadType, _timestamp, marker: _timestamp == 0, _payload.AsSpan(0, length));
            _timestamp += (uint)_samplesPerPacket;
        }
    }

    void IRtpPacketReceiver.OnRtpPacket(RtpPacket packet, long arrivalTimestamp)
    {
        if (packet.Header.PayloadType == Volatile.Read(ref _telephoneEventType)
            && _events.Process(packet.Header.Timestamp, packet.Payload) == TelephoneEventResult.Started)
        {
            DigitReceived?.Invoke(_events.CurrentDigit);
        }
    }

    void IRtpPacketReceiver.OnSourceChanged(uint ssrc) => _events.Reset();

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _sender?.Dispose();
            _encoder?.Dispose();
        }

        _rtp.Dispose();
    }
}
