using System.Net;
using Intercom.Media.Dtmf;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Streams;
using Intercom.Media.Tests.Codecs;
using Intercom.Dsp;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Streams;

/// <summary>
/// Two streams wired back to back through a fake network on a fake clock: what one captures the other plays, at the
/// frequency it was captured, whatever the codec and device rates; digits by RFC 4733 and by tones; media timeout; hold.
/// </summary>
public sealed class AudioStreamTests
{
    private static readonly MediaFormat[] Codecs = [MediaFormat.Pcmu, MediaFormat.Pcma, MediaFormat.G722, MediaFormat.Opus];

    public static TheoryData<string, int> CodecsAndRates()
    {
        var data = new TheoryData<string, int>();
        foreach (var codec in Codecs)
        {
            foreach (var rate in new[] { 8000, 16000, 48000 })
            {
                data.Add(codec.EncodingName, rate);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CodecsAndRates))]
    public void A_captured_tone_is_played_by_the_peer_at_its_frequency(string codec, int deviceRate)
    {
        using var link = new StreamLink(Format(codec), deviceRate);
        var played = link.Run(seconds: 1.0, Signal.Tone(1000, deviceRate, deviceRate, amplitude: 8000));

        // Skip the jitter buffer's start and the codecs' start-up, then measure a steady half second.
        var steady = played.AsSpan(deviceRate / 4, deviceRate / 2);
        Assert.Equal(1000, Signal.PeakFrequency(steady, deviceRate, 300, 3000), 10.0);
        Assert.True(Signal.ToneSnr(steady, 1000, deviceRate) > 15, $"SNR {Signal.ToneSnr(steady, 1000, deviceRate):0.0} dB");
        Assert.InRange(Signal.Rms(steady), 8000 / Math.Sqrt(2) * 0.7, 8000 / Math.Sqrt(2) * 1.3);
        var statistics = link.Receiver.GetStatistics();
        Assert.Equal(0, statistics.LostFrames);
        Assert.True(statistics.FramesDecoded >= 45, $"{statistics.FramesDecoded} frames decoded");
        Assert.Equal(50, link.Sender.GetStatistics().AudioPacketsSent);
    }

    [Fact]
    public void Ten_millisecond_device_periods_feed_twenty_millisecond_packets()
    {
        using var link = new StreamLink(MediaFormat.G722, 16000, devicePeriodMs: 10);
        var played = link.Run(seconds: 1.0, Signal.Tone(440, 16000, 16000, amplitude: 8000));
        Assert.Equal(440, Signal.PeakFrequency(played.AsSpan(4000, 8000), 16000, 100, 2000), 10.0);
        Assert.Equal(50, link.Sender.GetStatistics().AudioPacketsSent);
    }

    [Fact]
    public void A_lost_packet_is_concealed_and_counted()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000) { Drop = sequence => sequence == 20 };
        var played = link.Run(seconds: 1.0, Signal.Tone(1000, 8000, 8000, amplitude: 8000));
        var statistics = link.Receiver.GetStatistics();
        Assert.Equal(1, statistics.LostFrames);
        Assert.True(statistics.FramesConcealed >= 1);
        // Repeat-and-fade keeps the tone going over the gap instead of a click of silence.
        Assert.True(Signal.Rms(played.AsSpan(20 * 160, 160)) > 1000);
    }

    [Fact]
    public void Digits_sent_as_telephone_events_are_reported_once_each()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000);
        var digits = new List<(char, DtmfSource)>();
        link.Receiver.DigitReceived += (d, s) => digits.Add((d, s));
        link.Run(seconds: 0.2, new short[1600]);
        Assert.True(link.Sender.SendDigit('1'));
        Assert.True(link.Sender.SendDigit('1'));
        Assert.True(link.Sender.SendDigit('#'));
        link.Run(seconds: 1.0, new short[8000]);
        Assert.Equal([('1', DtmfSource.RtpEvent), ('1', DtmfSource.RtpEvent), ('#', DtmfSource.RtpEvent)], digits);
        Assert.True(link.Sender.GetStatistics().EventPacketsSent >= 3 * 6);
    }

    [Theory]
    [InlineData("PCMU")]
    [InlineData("opus")]
    public void Digits_that_come_only_as_tones_are_detected_in_the_decoded_audio(string codec)
    {
        // A peer without telephone-event: the digits are DTMF tones in its audio.
        using var link = new StreamLink(Format(codec), 16000, telephoneEvents: false);
        var digits = new List<(char, DtmfSource)>();
        link.Receiver.DigitReceived += (d, s) => digits.Add((d, s));
        link.Run(seconds: 2.0, DtmfTones("159#", 16000));
        Assert.Equal("159#", new string(digits.Select(d => d.Item1).ToArray()));
        Assert.All(digits, d => Assert.Equal(DtmfSource.InBand, d.Item2));
    }

    [Fact]
    public void A_digit_sent_both_as_event_and_as_tone_is_reported_once()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000, inBand: InBandDtmfMode.Always);
        var digits = new List<(char, DtmfSource)>();
        link.Receiver.DigitReceived += (d, s) => digits.Add((d, s));
        // The peer's tone is in its audio and, at the same time, announced as an RFC 4733 event (a gateway doing both).
        var tones = DtmfTones("7", 8000);
        link.Run(seconds: 0.1, tones.AsSpan(0, 800).ToArray());
        var payload = new byte[TelephoneEvent.Size];
        new TelephoneEvent(7, End: false, Volume: 10, Duration: 160).Write(payload);
        link.Send(101, 0x5000, marker: true, payload);
        link.Run(seconds: 1.0, tones.AsSpan(800, 8000).ToArray());
        Assert.Single(digits);
        Assert.Equal('7', digits[0].Item1);
        Assert.True(link.Receiver.GetStatistics().InBandDigitsDetected >= 1);
    }

    [Fact]
    public void A_digit_signalled_by_sip_info_after_its_event_is_not_reported_again()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000);
        var digits = new List<(char, DtmfSource)>();
        link.Receiver.DigitReceived += (d, s) => digits.Add((d, s));
        link.Sender.SendDigit('4');
        link.Run(seconds: 0.5, new short[4000]);
        link.Receiver.ReportSignalledDigit('4');
        link.Receiver.ReportSignalledDigit('5');
        Assert.Equal([('4', DtmfSource.RtpEvent), ('5', DtmfSource.SipInfo)], digits);
    }

    [Fact]
    public void Media_timeout_fires_once_when_the_peer_stops_sending()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000, mediaTimeout: TimeSpan.FromSeconds(5));
        var timeouts = 0;
        link.Receiver.MediaTimedOut += () => timeouts++;
        link.Run(seconds: 10, Signal.Tone(1000, 8000, 80000));
        Assert.Equal(0, timeouts);

        // The peer goes quiet (killed, network gone): only the clock moves.
        link.Clock.Advance(TimeSpan.FromSeconds(4.5));
        Assert.Equal(0, timeouts);
        link.Clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(1, timeouts);
        Assert.True(link.Receiver.HasTimedOut);
        link.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, timeouts);
    }

    [Fact]
    public void A_restarted_media_timeout_counts_from_the_restart_and_can_fire_again()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000, mediaTimeout: TimeSpan.FromSeconds(5));
        var timeouts = 0;
        link.Receiver.MediaTimedOut += () => timeouts++;
        link.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, timeouts);

        // The call is answered now: a full timeout from here.
        link.Receiver.RestartMediaTimeout();
        Assert.False(link.Receiver.HasTimedOut);
        link.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, timeouts);
        link.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, timeouts);
    }

    [Fact]
    public void No_media_timeout_while_the_peer_holds_the_call()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000, mediaTimeout: TimeSpan.FromSeconds(5));
        var timeouts = 0;
        link.Receiver.MediaTimedOut += () => timeouts++;
        link.Run(seconds: 1, new short[8000]);
        // RFC 3264 §8.4: the peer's re-offer says recvonly, so we only send; its silence is expected.
        link.Receiver.Apply(link.Media(MediaDirection.SendOnly));
        link.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, timeouts);
    }

    [Fact]
    public void No_media_timeout_while_the_peer_holds_with_sendonly_and_sends_nothing_and_a_full_one_after_the_resume()
    {
        // Issue #21.4: a phone that holds with a=sendonly (so we are recvonly) but plays no music on hold sends nothing.
        using var link = new StreamLink(MediaFormat.Pcmu, 8000, mediaTimeout: TimeSpan.FromSeconds(5));
        var timeouts = 0;
        link.Receiver.MediaTimedOut += () => timeouts++;
        link.Run(seconds: 1, new short[8000]);
        link.Receiver.Apply(link.Media(MediaDirection.ReceiveOnly));
        link.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, timeouts);

        // Resumed (sendrecv) and still silent: a dead peer now, after a full timeout from the resume.
        link.Receiver.Apply(link.Media(MediaDirection.SendReceive));
        link.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, timeouts);
        link.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, timeouts);
    }

    [Fact]
    public void A_held_stream_sends_nothing_and_resumes_with_a_marker()
    {
        using var link = new StreamLink(MediaFormat.Pcmu, 8000);
        link.Run(seconds: 0.2, new short[1600]);
        link.Sender.Apply(link.Media(MediaDirection.ReceiveOnly));
        var before = link.Sender.GetStatistics().AudioPacketsSent;
        link.Run(seconds: 0.2, new short[1600]);
        Assert.Equal(before, link.Sender.GetStatistics().AudioPacketsSent);
        link.Sender.Apply(link.Media(MediaDirection.SendReceive));
        link.Run(seconds: 0.2, new short[1600]);
        Assert.Equal(before + 10, link.Sender.GetStatistics().AudioPacketsSent);
        Assert.Equal(2, link.Markers);
    }

    [Theory]
    [InlineData("PCMU")]
    [InlineData("opus")]
    public void The_steady_send_and_playout_paths_allocate_nothing(string codec)
    {
        using var link = new StreamLink(Format(codec), 16000);
        var tone = Signal.Tone(1000, 16000, 16000);
        var played = new short[16000];
        link.Run(seconds: 1, tone, played);
        var before = GC.GetAllocatedBytesForCurrentThread();
        link.Run(seconds: 1, tone, played);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static MediaFormat Format(string name) => Codecs.First(c => c.EncodingName == name);

    private static short[] DtmfTones(string digits, int rate)
    {
        var pcm = new List<short>();
        pcm.AddRange(new short[rate / 10]);
        foreach (var digit in digits)
        {
            var generator = new ToneGenerator(TonePattern.Dtmf(digit, 100, -10), rate);
            var tone = new short[rate / 10];
            generator.Read(tone);
            pcm.AddRange(tone);
            pcm.AddRange(new short[rate / 10]);
        }

        pcm.AddRange(new short[rate]);
        return [.. pcm];
    }

    /// <summary>A sender stream and a receiver stream, the first's packets delivered to the second as RTP.</summary>
    private sealed class StreamLink : IRtpPacketSender, IDisposable
    {
        private readonly byte[] _datagram = new byte[1500];
        private readonly short[] _frame;
        private readonly short[] _played;
        private readonly int _frameSamples;
        private readonly MediaFormat _format;
        private readonly bool _telephoneEvents;
        private ushort _sequence;
        private int _sent;

        public StreamLink(MediaFormat format, int deviceRate, int devicePeriodMs = 20, bool telephoneEvents = true,
            InBandDtmfMode inBand = InBandDtmfMode.Auto, TimeSpan? mediaTimeout = null)
        {
            _format = format;
            _telephoneEvents = telephoneEvents;
            _frameSamples = deviceRate * devicePeriodMs / 1000;
            _frame = new short[_frameSamples];
            _played = new short[_frameSamples];
            var options = new AudioStreamOptions
            {
                DeviceSampleRate = deviceRate,
                DeviceFrameSamples = _frameSamples,
                Time = Clock,
                InBandDtmf = inBand,
                MediaTimeout = mediaTimeout ?? TimeSpan.Zero,
            };
            Sender = new AudioStream(this, options);
            Receiver = new AudioStream(new Discard(), options);
            Sender.Apply(Media(MediaDirection.SendReceive));
            Receiver.Apply(Media(MediaDirection.SendReceive));
        }

        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        public AudioStream Sender { get; }

        public AudioStream Receiver { get; }

        public Func<int, bool> Drop { get; init; } = _ => false;

        public int Markers { get; private set; }

        public NegotiatedMedia Media(MediaDirection direction) => new()
        {
            RemoteRtp = new IPEndPoint(IPAddress.Loopback, 4000),
            RemoteHost = "127.0.0.1",
            RemoteRtpPort = 4000,
            RemoteRtcp = new IPEndPoint(IPAddress.Loopback, 4001),
            SendFormat = _format,
            ReceivePayloadType = _format.PayloadType,
            SendTelephoneEventPayloadType = _telephoneEvents ? 101 : null,
            ReceiveTelephoneEventPayloadType = _telephoneEvents ? 101 : null,
            Direction = direction,
            PacketTime = 20,
            RtcpMux = false,
        };

        /// <summary>Feeds <paramref name="capture"/> (looped) for <paramref name="seconds"/>, one device period at a time; returns what the receiver played.</summary>
        public short[] Run(double seconds, short[] capture, short[]? into = null)
        {
            int frames = (int)Math.Round(seconds * 1000 / PeriodMs);
            var output = into ?? new short[frames * _frameSamples];
            int position = 0;
            for (int f = 0; f < frames; f++)
            {
                for (int i = 0; i < _frameSamples; i++)
                {
                    _frame[i] = capture[position];
                    position = (position + 1) % capture.Length;
                }

                Sender.SendFrame(_frame);
                Clock.Advance(TimeSpan.FromMilliseconds(PeriodMs));
                Receiver.ReadFrame(_played);
                _played.CopyTo(output, f * _frameSamples);
            }

            return output;
        }

        private int PeriodMs => _frameSamples * 1000 / Receiver.DeviceSampleRate;

        public bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
        {
            var sequence = _sequence++;
            if (marker && payloadType == _format.PayloadType)
            {
                Markers++;
            }

            if (Drop(_sent++))
            {
                return true;
            }

            int length = new RtpHeader(payloadType, sequence, timestamp, 0x1234, marker).Write(payload, _datagram);
            Assert.True(RtpPacket.TryParse(_datagram.AsSpan(0, length), out var packet, out _));
            ((IRtpPacketReceiver)Receiver).OnRtpPacket(packet, Clock.GetTimestamp());
            return true;
        }

        public void Dispose()
        {
            Sender.Dispose();
            Receiver.Dispose();
        }

        private sealed class Discard : IRtpPacketSender
        {
            public bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload) => true;
        }
    }
}
