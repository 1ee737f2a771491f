namespace Intercom.Media.Dtmf;

/// <summary>
/// Turns received RFC 4733 packets into one report per event: the event is identified by its RTP timestamp (§2.5.2.1), so
/// continuation packets, the three end packets, reordered or late packets of an earlier event are not reported again, and
/// an event whose first packets were lost is still reported from whatever packet arrives. Owned by the receive thread.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private bool _hasEvent;
    private uint _eventTimestamp;
    private byte _eventCode;
    private bool _ended;

    /// <summary>The event of the last accepted packet (its code, volume and latest duration).</summary>
    public TelephoneEvent Current { get; private set; }

    /// <summary>The digit of the current event.</summary>
    public char CurrentDigit => DtmfEvent.ToDigit(Current.Event);

    /// <summary>Classifies one packet of the negotiated telephone-event payload type.</summary>
    public TelephoneEventResult Process(uint rtpTimestamp, ReadOnlySpan<byte> payload)
    {
        if (!TelephoneEvent.TryRead(payload, out TelephoneEvent value) || value.Event > DtmfEvent.Flash)
        {
            return TelephoneEventResult.Malformed;
        }

        if (_hasEvent)
        {
            int age = (int)(rtpTimestamp - _eventTimestamp);
            if (age < 0)
            {
                // A packet of an event older than the current one (late or reordered).
                return TelephoneEventResult.Ignored;
            }

            if (age == 0 && value.Event == _eventCode)
            {
                if (_ended || value.Duration < Current.Duration)
                {
                    return TelephoneEventResult.Ignored;
                }

                Current = value;
                _ended = value.End;
                return value.End ? TelephoneEventResult.Ended : TelephoneEventResult.Continued;
            }
        }

        _hasEvent = true;
        _eventTimestamp = rtpTimestamp;
        _eventCode = value.Event;
        _ended = value.End;
        Current = value;
        return TelephoneEventResult.Started;
    }

    /// <summary>Forgets the current event (a new SSRC or a new call).</summary>
    public void Reset()
    {
        _hasEvent = false;
        _ended = false;
        Current = default;
    }
}
