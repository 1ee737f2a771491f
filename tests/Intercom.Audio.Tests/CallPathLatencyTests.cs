using System.Net;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Streams;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intercom.Audio.Tests;

/// <summary>
/// The device-added one-way latency of a call, mouth to ear, measured in fake time: a click enters the microphone of a
/// simulated 48 kHz card; the engine's processed microphone feeds an <see cref="AudioStream"/> (resample, packetise at
/// 20 ms, encode), whose packets reach a second stream at once (a zero-delay network) and wait in its jitter buffer; the
/// speaker pulls that stream's playout (decode, resample) into the same card, and the click's peak is timed in the card's
/// air. What is left is exactly the design's buffering: the capture period, packetisation, the jitter buffer's target and
/// alignment, the codec's look-ahead and the playback queue. Scheduling costs nothing in fake time; a real system adds its
/// jitter (and the network its delay) on top.
/// </summary>
public sealed class CallPathLatencyTests(ITestOutputHelper output)
{
    private const int AppRate = 16000;
    private const int CardRate = 48000;

    [Theory]
    [InlineData("PCMU", 20)]
    [InlineData("PCMU", 10)]
    [InlineData("opus", 20)]
    [InlineData("opus", 10)]
    public void Mouth_to_ear_latency_stays_within_the_buffering_the_design_adds(string codec, int periodMs)
    {
        var latencies = Measure(codec == "opus" ? MediaFormat.Opus : MediaFormat.Pcmu, periodMs);
        output.WriteLine($"{codec}, {periodMs} ms periods, 20 ms packets: one-way {latencies.Min():F1}…{latencies.Max():F1} ms (mean {latencies.Average():F1}) over {latencies.Count} clicks");

        // Capture ≤ one period, packetisation up to one packet less a period, jitter target 20 ms plus up to a packet of
        // alignment against the speaker's pulls, playback one to two periods, Opus look-ahead 6.5 ms.
        double bound = periodMs + (20 - periodMs) + 20 + 20 + (2 * periodMs) + 7 + 2;
        Assert.All(latencies, l => Assert.InRange(l, 20, bound));
    }

    private static List<double> Measure(MediaFormat format, int periodMs)
    {
        const int Seconds = 4;
        var time = new FakeTimeProvider();
        var card = new SimulatedCard(time, CardRate, CardRate * periodMs / 1000, Seconds + 1);
        var clicks = new List<long>();
        for (var at = CardRate / 2; at < (Seconds - 1) * CardRate; at += CardRate / 3 + 137)
        {
            clicks.Add(at);
        }

        // The microphone hears only the clicks (no echo path): the speaker's output is measured, not fed back.
        card.Acoustics = (_, index) => clicks.BinarySearch(index) >= 0 ? (short)20000 : (short)0;
        var options = new AudioOptions { SampleRate = AppRate, PeriodMs = periodMs, EchoControl = EchoControl.Off, NoiseSuppression = false };
        using var engine = new AudioEngine(
            new TestCapture(time, card.OpenInput, AppRate, periodMs),
            new TestPlayback(time, card.OpenOutput, AppRate, periodMs),
            options);
        var streamOptions = new AudioStreamOptions { DeviceSampleRate = AppRate, DeviceFrameSamples = AppRate * periodMs / 1000, Time = time, MediaTimeout = TimeSpan.Zero };
        var link = new Link(time);
        using var sender = new AudioStream(link, streamOptions);
        using var receiver = new AudioStream(new Link(time), streamOptions);
        link.Receiver = receiver;
        var media = Negotiated(format);
        sender.Apply(media);
        receiver.Apply(media);
        engine.Microphone.Start(new MicrophoneToStream(sender));
        engine.ConnectSpeaker(new StreamToSpeaker(receiver));

        engine.Start();
        WaitBlocked(card);
        for (var ms = 0; ms < Seconds * 1000; ms++)
        {
            card.Advance(TimeSpan.FromMilliseconds(1));
            WaitBlocked(card);
        }

        card.Shutdown();
        engine.Stop();
        var air = card.Air;
        var latencies = new List<double>();
        foreach (var click in clicks)
        {
            var window = air.Slice((int)click, CardRate / 5);
            var peak = 0;
            for (var i = 1; i < window.Length; i++)
            {
                if (Math.Abs((int)window[i]) > Math.Abs((int)window[peak]))
                {
                    peak = i;
                }
            }

            Assert.True(Math.Abs((int)window[peak]) > 1000, $"the click at {click} was not played within 200 ms");
            latencies.Add(peak * 1000.0 / CardRate);
        }

        return latencies;
    }

    private static NegotiatedMedia Negotiated(MediaFormat format) => new()
    {
        RemoteRtp = new IPEndPoint(IPAddress.Loopback, 4000),
        RemoteHost = "127.0.0.1",
        RemoteRtpPort = 4000,
        RemoteRtcp = null,
        SendFormat = format,
        ReceivePayloadType = format.PayloadType,
        Direction = MediaDirection.SendReceive,
        PacketTime = 20,
        RtcpMux = true,
    };

    private static void WaitBlocked(SimulatedCard card) =>
        Assert.True(SpinWait.SpinUntil(() => card.Waiting == 2, TimeSpan.FromSeconds(10)), "audio threads did not settle");

    /// <summary>A zero-delay network: each packet is handed to the receiving stream as RTP at once, stamped with the fake clock.</summary>
    private sealed class Link(TimeProvider time) : IRtpPacketSender
    {
        private readonly byte[] datagram = new byte[1500];
        private ushort sequence;

        public AudioStream? Receiver { get; set; }

        public bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
        {
            var length = new RtpHeader(payloadType, sequence++, timestamp, 0x5151, marker).Write(payload, datagram);
            if (Receiver is not null && RtpPacket.TryParse(datagram.AsSpan(0, length), out var packet, out _))
            {
                ((IRtpPacketReceiver)Receiver).OnRtpPacket(packet, time.GetTimestamp());
            }

            return true;
        }
    }

    private sealed class MicrophoneToStream(AudioStream stream) : IAudioFrameReceiver
    {
        public void OnFrame(ReadOnlySpan<short> frame) => stream.SendFrame(frame);
    }

    private sealed class StreamToSpeaker(AudioStream stream) : IAudioFrameProvider
    {
        public void ReadFrame(Span<short> frame) => stream.ReadFrame(frame);
    }
}
