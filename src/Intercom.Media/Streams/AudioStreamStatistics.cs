namespace Intercom.Media.Streams;

/// <summary>A snapshot of one <see cref="AudioStream"/>'s counters (for the call's log line, the web page and RTCP-like reports).</summary>
public readonly record struct AudioStreamStatistics
{
    /// <summary>Codec in use for sending ("PCMU", "opus"…), empty before negotiation.</summary>
    public string Codec { get; init; }

    /// <summary>Audio packets handed to the RTP session.</summary>
    public long AudioPacketsSent { get; init; }

    /// <summary>RFC 4733 event packets sent.</summary>
    public long EventPacketsSent { get; init; }

    /// <summary>Audio packets accepted into the jitter buffer.</summary>
    public long AudioPacketsReceived { get; init; }

    /// <summary>RFC 4733 event packets received.</summary>
    public long EventPacketsReceived { get; init; }

    /// <summary>Packets whose payload type is neither the codec nor telephone-event (comfort noise, a stray type).</summary>
    public long OtherPacketsReceived { get; init; }

    /// <summary>Frames played from a decoded packet.</summary>
    public long FramesDecoded { get; init; }

    /// <summary>Frames filled by loss concealment (lost packets, jitter buffer stretching).</summary>
    public long FramesConcealed { get; init; }

    /// <summary>Packets that came too late for their playout time.</summary>
    public long LatePackets { get; init; }

    /// <summary>Frames the jitter buffer dropped to shrink its delay.</summary>
    public long DroppedFrames { get; init; }

    /// <summary>Frames reported lost.</summary>
    public long LostFrames { get; init; }

    /// <summary>The jitter buffer's target delay now.</summary>
    public TimeSpan JitterTargetDelay { get; init; }

    /// <summary>Interarrival jitter (RFC 3550 §6.4.1 estimator).</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Digits detected as tones in the audio (before deduplication).</summary>
    public long InBandDigitsDetected { get; init; }

    /// <summary>Time since the last RTP packet from the peer (or since media was agreed, if none came).</summary>
    public TimeSpan SinceLastPacket { get; init; }
}
