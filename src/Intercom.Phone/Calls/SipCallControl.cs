using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Intercom.Media.Dtmf;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent;
using Intercom.Station.Calls;
using SipEnd = Intercom.Sip.UserAgent.CallEndReason;
using StationEnd = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Phone;

/// <summary>
/// The station's call API over the SIP user agent: door-station call legs (handles) onto SIP calls, their events into the
/// station's terms, DTMF from every path (RFC 4733 on RTP, tones in the audio, SIP INFO) reported once, and calls whose
/// RTP stopped ended.
/// </summary>
public sealed class SipCallControl : ICallControl, IDisposable
{
    private const int MaxEarlyDigits = 32;
    private readonly SipUserAgent _agent;
    private readonly Action<StationTone> _tones;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Leg> _legs = new();
    private long _nextId;

    // What the next call uses: replaced as one reference (Reconfigure), read once per call, so a call never mixes an old
    // account with new media; calls in progress keep what they were placed or answered with.
    private volatile CallProfile _profile;

    /// <summary>Creates the call API.</summary>
    /// <param name="agent">The SIP user agent.</param>
    /// <param name="accounts">The accounts calls go out through, the default first (at least one).</param>
    /// <param name="mediaFactory">A call's media with the SRTP policy of the account it goes through.</param>
    /// <param name="tones">Plays the station's tones.</param>
    /// <param name="time">Clock of the DTMF deduplication.</param>
    public SipCallControl(SipUserAgent agent, IReadOnlyList<CallAccount> accounts, Func<SrtpPolicy, CallMediaSession> mediaFactory, Action<StationTone> tones, TimeProvider time)
    {
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _profile = CallProfile.Of(accounts, mediaFactory);
        _tones = tones ?? throw new ArgumentNullException(nameof(tones));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        agent.IncomingCall += OnIncoming;
    }

    public event EventHandler<CallEventArgs>? CallEvent;

    /// <summary>The default account: the one a call whose target names none of the accounts' servers is placed with.</summary>
    public CallAccount Account => _profile.Accounts[0];

    /// <summary>Every account calls can go out through, the default first.</summary>
    public IReadOnlyList<CallAccount> Accounts => _profile.Accounts;

    /// <summary>
    /// Uses <paramref name="accounts"/> and <paramref name="mediaFactory"/> from the next call on (a configuration change
    /// applied live). Calls in progress keep their dialog, credentials and media: their in-dialog requests (re-INVITE,
    /// BYE, INFO) go on as agreed (RFC 3261 §12.2), so nothing of a call that is up is touched.
    /// </summary>
    public void Reconfigure(IReadOnlyList<CallAccount> accounts, Func<SrtpPolicy, CallMediaSession> mediaFactory) =>
        _profile = CallProfile.Of(accounts, mediaFactory);

    /// <summary>
    /// The account a call to <paramref name="target"/> goes out through: the first whose domain, registrar or outbound
    /// proxy the target is on, else the default. Its identity, route, transport, SRTP policy and credentials all come
    /// from it (never the identity of one and the keys or password of another).
    /// </summary>
    public CallAccount AccountFor(SipUri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var accounts = _profile.Accounts;
        foreach (var account in accounts)
        {
            if (account.Serves(target))
            {
                return account;
            }
        }

        return accounts[0];
    }

    /// <summary>Calls in progress (for status and leak checks).</summary>
    public int ActiveLegs => _legs.Count;

    /// <summary>The media of calls in progress (codec, SRTP, statistics for the status page and tests).</summary>
    public IReadOnlyList<CallMediaSession> MediaSessions => [.. _legs.Values.Select(l => l.Media).OfType<CallMediaSession>()];

    public CallHandle Dial(string target)
    {
        var handle = new CallHandle(Interlocked.Increment(ref _nextId));
        var profile = _profile;
        if (!TryTargetUri(target, profile.Accounts[0], out var uri))
        {
            Raise(CallEventArgs.Ended(handle, StationEnd.Failed));
            return handle;
        }

        var account = AccountFor(uri);
        CallMediaSession media;
        try
        {
            media = profile.Media(account.Srtp);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No RTP port left in the range: the call cannot carry audio.
            Raise(CallEventArgs.Ended(handle, StationEnd.Failed));
            return handle;
        }

        var call = _agent.Dial(uri, new DialOptions
        {
            From = account.Identity,
            Media = media.OfferAnswer,
            OutboundProxy = account.OutboundProxy,
            Transport = account.Transport,
            Authorize = account.Authorize,
        });
        Track(handle, call, media);
        return handle;
    }

    public void Answer(CallHandle call)
    {
        if (_legs.TryGetValue(call.Id, out var leg) && leg.Media is null)
        {
            try
            {
                // SDES keys only in an answer that goes back over TLS (RFC 4568 §8.3): a call that came in over UDP or
                // TCP is answered without SRTP, whatever the account asks (with "required", the offer is then refused).
                var srtp = leg.Call.IncomingTransport == Sip.Transport.SipTransportProtocol.Tls ? _profile.Accounts[0].Srtp : SrtpPolicy.Disabled;
                leg.Media = _profile.Media(srtp);
            }
            catch (System.Net.Sockets.SocketException)
            {
                leg.Call.Reject(503, "Service Unavailable");
                return;
            }

            AttachDigits(leg);
            leg.Call.Answer(leg.Media.OfferAnswer);
        }
    }

    public void Reject(CallHandle call, int sipStatus)
    {
        if (_legs.TryGetValue(call.Id, out var leg))
        {
            leg.Call.Reject(sipStatus);
        }
    }

    public void HangUp(CallHandle call)
    {
        if (_legs.TryGetValue(call.Id, out var leg))
        {
            leg.Call.Hangup();
        }
    }

    public void PlayTone(StationTone tone) => _tones(tone);

    public void Dispose()
    {
        _agent.IncomingCall -= OnIncoming;
        foreach (var leg in _legs.Values)
        {
            leg.Call.Hangup();
            leg.Media?.Dispose();
        }
    }

    private void OnIncoming(SipCall call)
    {
        var handle = new CallHandle(Interlocked.Increment(ref _nextId));
        Track(handle, call, null);
        Raise(CallEventArgs.Incoming(handle, call.RemoteUri.ToString(), Origin(call.Origin), call.IncomingSource?.Address));
    }

    /// <summary>How the user agent let the caller in (by the INVITE's source), in the station's terms.</summary>
    internal static CallerOrigin Origin(IncomingCallOrigin origin) => origin switch
    {
        IncomingCallOrigin.Server => CallerOrigin.Registrar,
        IncomingCallOrigin.TrustedNetwork => CallerOrigin.TrustedSource,
        IncomingCallOrigin.Authenticated => CallerOrigin.Authenticated,
        _ => CallerOrigin.Unverified,
    };

    private void Track(CallHandle handle, SipCall call, CallMediaSession? media)
    {
        var leg = new Leg(handle, call, new DtmfDeduplicator(_time)) { Media = media };
        _legs[handle.Id] = leg;
        if (media is not null)
        {
            AttachDigits(leg);
        }

        call.Ringing += (_, _) => Raise(CallEventArgs.Ringing(handle));
        call.Answered += _ =>
        {
            // Digits the peer sent right after answering can overtake its 200 (RTP goes direct, the 200 through the
            // proxy): they were held back until now, and count only because the answer really came.
            List<(char Digit, Media.Dtmf.DtmfSource Source)> early;
            lock (leg)
            {
                leg.Answered = true;
                early = [.. leg.EarlyDigits];
                leg.EarlyDigits.Clear();
            }

            // The media timeout counts from the answer, not from early media agreed while ringing.
            leg.Media?.Stream.RestartMediaTimeout();

            Raise(CallEventArgs.Answered(handle));
            foreach (var (digit, source) in early)
            {
                ReportDigit(leg, digit, source);
            }
        };
        call.InfoReceived += (sender, type, body) =>
        {
            if (DtmfInfoBody.TryParse(type, Encoding.UTF8.GetString(body.Span), out var digit, out _))
            {
                ReportDigit(leg, digit, Media.Dtmf.DtmfSource.SipInfo);
            }
        };
        call.Ended += ended =>
        {
            _legs.TryRemove(handle.Id, out _);
            leg.Media?.Dispose();
            var reason = leg.MediaTimedOut ? StationEnd.Failed : MapEnd(ended.EndReason, ended.EndStatus);
            Raise(CallEventArgs.Ended(handle, reason, ended.EndStatus ?? 0));
        };
    }

    private void AttachDigits(Leg leg)
    {
        leg.Media!.DigitReceived += (digit, source) => ReportDigit(leg, digit, source);
        leg.Media.MediaTimedOut += () =>
        {
            lock (leg)
            {
                if (!leg.Answered)
                {
                    // Early media agreed while ringing, and the peer sends nothing until it answers: not a dead call.
                    leg.Media.Stream.RestartMediaTimeout();
                    return;
                }

                leg.MediaTimedOut = true;
            }

            // The peer vanished without a BYE (crash, network gone): end the call; the door's relay is not touched.
            leg.Call.Hangup();
        };
    }

    private void ReportDigit(Leg leg, char digit, Media.Dtmf.DtmfSource source)
    {
        bool report;
        lock (leg)
        {
            if (!leg.Answered)
            {
                // Bounded: a peer cannot queue unlimited digits before answering.
                if (leg.EarlyDigits.Count < MaxEarlyDigits)
                {
                    leg.EarlyDigits.Add((digit, source));
                }

                return;
            }

            report = leg.Deduplicator.ShouldReport(digit, source);
        }

        if (report)
        {
            Raise(CallEventArgs.Dtmf(leg.Handle, digit, source switch
            {
                Media.Dtmf.DtmfSource.SipInfo => Station.Calls.DtmfSource.SipInfo,
                Media.Dtmf.DtmfSource.RtpEvent => Station.Calls.DtmfSource.Rfc4733,
                _ => Station.Calls.DtmfSource.Inband,
            }));
        }
    }

    private void Raise(CallEventArgs e) => CallEvent?.Invoke(this, e);

    /// <summary>A SIP URI as given, or an extension on the account's domain ("12" → sip:12@pbx.example).</summary>
    private static bool TryTargetUri(string target, CallAccount account, out SipUri uri)
    {
        var text = target.Contains(':', StringComparison.Ordinal) ? target : $"sip:{target}@{account.Domain}";
        if (SipUri.TryParse(text, out var parsed) && parsed.IsSip)
        {
            uri = parsed;
            return true;
        }

        uri = null!;
        return false;
    }

    internal static StationEnd MapEnd(SipEnd? reason, int? status) => reason switch
    {
        SipEnd.RemoteHangup or SipEnd.RemoteCancelled => StationEnd.RemoteHangUp,
        SipEnd.LocalHangup or SipEnd.Cancelled or SipEnd.LocalRejected => StationEnd.LocalHangUp,
        SipEnd.Timeout => StationEnd.NoAnswer,
        SipEnd.Rejected => status switch
        {
            486 or 600 => StationEnd.Busy,
            408 or 480 => StationEnd.NoAnswer,
            >= 400 and < 500 or 603 => StationEnd.Declined,
            _ => StationEnd.Failed,
        },
        _ => StationEnd.Failed,
    };

    private sealed record CallProfile(IReadOnlyList<CallAccount> Accounts, Func<SrtpPolicy, CallMediaSession> Media)
    {
        public static CallProfile Of(IReadOnlyList<CallAccount> accounts, Func<SrtpPolicy, CallMediaSession> media)
        {
            ArgumentNullException.ThrowIfNull(accounts);
            ArgumentNullException.ThrowIfNull(media);
            if (accounts.Count == 0)
            {
                throw new ArgumentException("At least one account (the default) is needed.", nameof(accounts));
            }

            return new CallProfile([.. accounts], media);
        }
    }

    private sealed class Leg(CallHandle handle, SipCall call, DtmfDeduplicator deduplicator)
    {
        public CallHandle Handle { get; } = handle;

        public SipCall Call { get; } = call;

        public DtmfDeduplicator Deduplicator { get; } = deduplicator;

        public CallMediaSession? Media { get; set; }

        /// <summary>True once the call is answered (2xx for ours, ACK for theirs); before that digits wait.</summary>
        public bool Answered { get; set; }

        public List<(char Digit, Media.Dtmf.DtmfSource Source)> EarlyDigits { get; } = [];

        /// <summary>True when the call is being ended because its RTP stopped.</summary>
        public bool MediaTimedOut { get; set; }
    }
}
