using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Intercom.Media.Dtmf;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registrar;
using Intercom.Station.Calls;
using Intercom.Station.Routing;
using Microsoft.Extensions.Logging;
using SipEnd = Intercom.Sip.UserAgent.CallEndReason;
using StationEnd = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Phone;

/// <summary>
/// The station's call API over the SIP user agent: door-station call legs (handles) onto SIP calls, their events into the
/// station's terms, DTMF from every path (RFC 4733 on RTP, tones in the audio, SIP INFO) reported once, and calls whose
/// RTP stopped ended.
/// </summary>
public sealed partial class SipCallControl : ICallControl, IDisposable
{
    private const int MaxEarlyDigits = 32;
    private readonly SipUserAgent _agent;
    private readonly Action<StationTone> _tones;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
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
    /// <param name="log">Where a call's failed secure media is told, with its reason, and what each answered call's media did.</param>
    public SipCallControl(SipUserAgent agent, IReadOnlyList<CallAccount> accounts, Func<SrtpPolicy, CallMediaSession> mediaFactory, Action<StationTone> tones, TimeProvider time,
        ILogger log)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
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
        return CallAccountSelection.ForTarget(_profile.Accounts, target);
    }

    /// <summary>
    /// The id of the account <paramref name="call"/> is on now (an outgoing call's after any failover; an incoming call's
    /// by the binding it reached), or null when the call is over.
    /// </summary>
    public string? AccountOf(CallHandle call) => _legs.TryGetValue(call.Id, out var leg) ? leg.Account?.Id : null;

    /// <summary>Calls in progress (for status and leak checks).</summary>
    public int ActiveLegs => _legs.Count;

    /// <summary>The media of calls in progress (codec, SRTP, statistics for the status page and tests).</summary>
    public IReadOnlyList<CallMediaSession> MediaSessions => [.. _legs.Values.Select(l => l.Media).OfType<CallMediaSession>()];

    /// <summary>The call whose media is <paramref name="stream"/> (the one on the sound device), if any.</summary>
    public CallHandle? CallWith(AudioStream? stream)
    {
        foreach (var leg in _legs.Values)
        {
            if (stream is not null && ReferenceEquals(leg.Media?.Stream, stream))
            {
                return leg.Handle;
            }
        }

        return null;
    }

    public CallHandle Dial(string target) => Dial(target, null);

    /// <summary>
    /// Calls <paramref name="target"/> through the account named <paramref name="account"/> (null: the account whose server
    /// the target is on, else the first). When the call fails on that account's side before it rang (no server reached,
    /// 401/403/407, 5xx: <see cref="CallAccountSelection.FailsOver"/>), the same leg tries the next account in
    /// configuration order, each once; the station sees one leg and one end.
    /// </summary>
    public CallHandle Dial(string target, string? account)
    {
        var handle = new CallHandle(Interlocked.Increment(ref _nextId));
        var profile = _profile;
        var first = account is null ? null : CallAccountSelection.Named(profile.Accounts, account);
        if ((account is not null && first is null) || !CallAccountSelection.TryTargetUri(target, first ?? profile.Accounts[0], out var uri))
        {
            // An account no one has (the validator refuses it in a ring group; the API may still name one), or no SIP target.
            Raise(CallEventArgs.Ended(handle, StationEnd.Failed));
            return handle;
        }

        first ??= CallAccountSelection.ForTarget(profile.Accounts, uri);
        var leg = new Leg(handle, new DtmfDeduplicator(_time)) { Target = target, Profile = profile };
        _legs[handle.Id] = leg;
        bool placed;
        lock (leg)
        {
            placed = Place(leg, first, uri);
        }

        if (!placed)
        {
            _legs.TryRemove(handle.Id, out _);
            Raise(CallEventArgs.Ended(handle, StationEnd.Failed));
        }

        return handle;
    }

    /// <summary>
    /// The legs of one ring-group target: for "web" / "web:NAME" (<see cref="WebPhoneTarget"/>) one per browser phone
    /// registered now over the station's WebSocket (<see cref="SipUserAgent.BrowserPhones"/>), none registered: one leg
    /// that ends at once as failed; any other target, <see cref="Dial(string, string?)"/>.
    /// </summary>
    public IReadOnlyList<CallHandle> DialTarget(string target, string? account)
    {
        if (!WebPhoneTarget.TryParse(target, out var name))
        {
            return [Dial(target, account)];
        }

        var profile = _profile;
        var through = account is null ? profile.Accounts[0] : CallAccountSelection.Named(profile.Accounts, account);
        var bindings = _agent.BrowserPhones?.Find(name) ?? [];
        if (through is null || bindings.Count == 0)
        {
            var none = new CallHandle(Interlocked.Increment(ref _nextId));
            Raise(CallEventArgs.Ended(none, StationEnd.Failed));
            return [none];
        }

        var legs = new List<CallHandle>(bindings.Count);
        foreach (var binding in bindings)
        {
            legs.Add(DialBrowserPhone(binding, through, profile));
        }

        return legs;
    }

    /// <summary>
    /// Rings one browser phone over its WebSocket (RFC 7118 §5) with a WebRTC offer whatever the account's SRTP setting
    /// (RFC 8827 §6.5, RFC 8834: a browser takes DTLS-SRTP with ICE, rtcp-mux and the SAVPF profile, nothing else): the
    /// RTP socket's host candidate, the controlling role as the offerer (RFC 8445 §6.1.1). No failover or redirect: the
    /// phone is reachable one way only.
    /// </summary>
    private CallHandle DialBrowserPhone(BrowserPhoneBinding binding, CallAccount account, CallProfile profile)
    {
        var handle = new CallHandle(Interlocked.Increment(ref _nextId));
        CallMediaSession media;
        try
        {
            media = profile.Media(SrtpPolicy.DtlsSrtp);
        }
        catch (System.Net.Sockets.SocketException)
        {
            Raise(CallEventArgs.Ended(handle, StationEnd.Failed));
            return handle;
        }

        media.OfferAnswer.Negotiator.OfferToBrowser();

        // No Account on the leg: the failover and redirect rules (OnEnded) are for calls through a SIP server.
        var leg = new Leg(handle, new DtmfDeduplicator(_time)) { Target = binding.Contact.Uri.ToString(), Profile = profile, Media = media };
        _legs[handle.Id] = leg;
        AttachDigits(leg, media);
        _ = InviteBrowserPhoneAsync(leg, binding, account, media);
        return handle;
    }

    private async Task InviteBrowserPhoneAsync(Leg leg, BrowserPhoneBinding binding, CallAccount account, CallMediaSession media)
    {
        await media.PrepareIceAsync([], TimeSpan.FromSeconds(1), _time, Media.Ice.IceRole.Controlling).ConfigureAwait(false);
        lock (leg)
        {
            if (!leg.HungUp && ReferenceEquals(leg.Media, media))
            {
                var call = _agent.Dial(binding.Contact.Uri.Clone(), new DialOptions
                {
                    From = account.Identity,
                    Media = media.OfferAnswer,
                    Flow = binding.Flow,
                });
                leg.Call = call;
                Attach(leg, call);
                return;
            }

            // Cancelled while ICE was being prepared: no INVITE went out, so the leg ends here.
            media.Dispose();
            leg.Media = null;
        }

        _legs.TryRemove(leg.Handle.Id, out _);
        Raise(CallEventArgs.Ended(leg.Handle, StationEnd.LocalHangUp));
    }

    /// <summary>
    /// One attempt of <paramref name="leg"/> through <paramref name="account"/>; false when no media port is left. Holds the
    /// leg's lock. With STUN servers on the account, the INVITE goes out once the RTP socket's public mapping is known (or
    /// the bound passed), so its offer carries that address.
    /// </summary>
    private bool Place(Leg leg, CallAccount account, SipUri uri)
    {
        CallMediaSession media;
        try
        {
            media = leg.Profile!.Media(account.Srtp);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No RTP port left in the range: the call cannot carry audio.
            return false;
        }

        leg.Tried.Add(account);
        leg.Account = account;
        leg.Uri = uri;
        leg.Media = media;
        AttachDigits(leg, media);
        if (account.Stun is { } stun)
        {
            _ = PlaceAfterStunAsync(leg, account, uri, media, stun);
            return true;
        }

        Invite(leg, account, uri, media);
        return true;
    }

    /// <summary>Sends the INVITE of <paramref name="leg"/>'s attempt through <paramref name="account"/>. Holds the leg's lock.</summary>
    private void Invite(Leg leg, CallAccount account, SipUri uri, CallMediaSession media)
    {
        var call = _agent.Dial(uri, new DialOptions
        {
            From = account.Identity,
            Media = media.OfferAnswer,
            OutboundProxy = account.OutboundProxy,
            Transport = account.Transport,
            Authorize = account.Authorize,
            Contact = account.RegisteredContact?.Invoke(),
        });
        leg.Call = call;
        Attach(leg, call);
    }

    private async Task PlaceAfterStunAsync(Leg leg, CallAccount account, SipUri uri, CallMediaSession media, StunMediaMapping stun)
    {
        await stun.LearnAsync(media).ConfigureAwait(false);
        lock (leg)
        {
            if (!leg.HungUp && ReferenceEquals(leg.Media, media))
            {
                Invite(leg, account, uri, media);
                return;
            }

            // Hung up while the mapping was being learned: no INVITE went out, so the leg ends here.
            media.Dispose();
            if (ReferenceEquals(leg.Media, media))
            {
                leg.Media = null;
            }
        }

        _legs.TryRemove(leg.Handle.Id, out _);
        Raise(CallEventArgs.Ended(leg.Handle, StationEnd.LocalHangUp));
    }

    private static async Task AnswerAfterStunAsync(SipCall call, CallMediaSession media, StunMediaMapping stun)
    {
        await stun.LearnAsync(media, offerer: false).ConfigureAwait(false);

        // A call that ended meanwhile ignores the answer (the SIP layer answers only an incoming call still ringing).
        call.Answer(media.OfferAnswer);
    }

    private static async Task AnswerWithHostIceAsync(SipCall call, CallMediaSession media, TimeProvider time)
    {
        await media.PrepareIceAsync([], TimeSpan.FromSeconds(1), time, Intercom.Media.Ice.IceRole.Controlled).ConfigureAwait(false);
        call.Answer(media.OfferAnswer);
    }

    public void Answer(CallHandle call)
    {
        if (_legs.TryGetValue(call.Id, out var leg) && leg.Media is null && leg.Call is { } incoming)
        {
            CallMediaSession media;
            try
            {
                // The SRTP policy of the account whose binding the call reached. SDES keys only in an answer that goes
                // back over TLS (RFC 4568 §8.3): a call that came in over UDP or TCP is answered without SRTP, whatever
                // the account asks (with "required", the offer is then refused).
                var account = leg.Account ?? _profile.Accounts[0];
                // SDES keys only over TLS or WSS; DTLS-SRTP keys never travel in the SDP, so any transport may carry its offer.
                // A call over a WebSocket is a browser's, which takes DTLS-SRTP and nothing else (RFC 8827 §6.5), whatever
                // the account says: as the station's own offers to browser phones are.
                var srtp = incoming.IncomingTransport is { } ws && ws.IsWebSocket() ? SrtpPolicy.DtlsSrtp
                    : (incoming.IncomingTransport is { } transport && transport.IsSecure()) || account.Srtp == SrtpPolicy.DtlsSrtp
                    ? account.Srtp : SrtpPolicy.Disabled;
                media = _profile.Media(srtp);
            }
            catch (System.Net.Sockets.SocketException)
            {
                incoming.Reject(503, "Service Unavailable");
                return;
            }

            leg.Media = media;
            AttachDigits(leg, media);
            var answering = leg.Account ?? _profile.Accounts[0];
            incoming.LocalContact = answering.RegisteredContact?.Invoke();
            if (answering.Stun is { } stun)
            {
                // The answer's SDP carries the RTP socket's public mapping: learned first, within the account's bound.
                _ = AnswerAfterStunAsync(incoming, media, stun);
                return;
            }

            if (incoming.IncomingTransport is { } viaWebSocket && viaWebSocket.IsWebSocket())
            {
                // A SIP WebSocket client is a browser, and WebRTC takes no media without ICE (RFC 8829 §5.3.1, RFC 8834
                // §4.2): even without STUN the answer carries an agent with the host candidate, and the station answers
                // the browser's connectivity checks as the controlled side.
                _ = AnswerWithHostIceAsync(incoming, media, _time);
                return;
            }

            incoming.Answer(media.OfferAnswer);
        }
    }

    public string? WebUserOf(CallHandle call) => _legs.TryGetValue(call.Id, out var leg) ? leg.Call?.WebUser : null;

    public void Reject(CallHandle call, int sipStatus)
    {
        if (_legs.TryGetValue(call.Id, out var leg))
        {
            leg.Call?.Reject(sipStatus);
        }
    }

    public void HangUp(CallHandle call)
    {
        if (_legs.TryGetValue(call.Id, out var leg))
        {
            SipCall? current;
            lock (leg)
            {
                // Also stops a failover: an attempt ending after this does not start the next one.
                leg.HungUp = true;
                current = leg.Call;
            }

            // Null while an outgoing leg still learns its STUN mapping: its INVITE then never goes out.
            current?.Hangup();
        }
    }

    public void PlayTone(StationTone tone) => _tones(tone);

    public void Dispose()
    {
        _agent.IncomingCall -= OnIncoming;
        foreach (var leg in _legs.Values)
        {
            lock (leg)
            {
                leg.HungUp = true;
            }

            leg.Call?.Hangup();
            leg.Media?.Dispose();
        }
    }

    private void OnIncoming(SipCall call)
    {
        var handle = new CallHandle(Interlocked.Increment(ref _nextId));
        var profile = _profile;
        var leg = new Leg(handle, new DtmfDeduplicator(_time)) { Call = call, Profile = profile, Account = CallAccountSelection.Reached(profile.Accounts, call) };
        _legs[handle.Id] = leg;
        Attach(leg, call);
        // The station's own page calls as its web user ("web:admin"), which its session proved; its From is the page's to write.
        var caller = call.Origin == IncomingCallOrigin.WebPage && call.WebUser is { } user ? WebPhoneTarget.Of(user) : call.RemoteUri.ToString();
        Raise(CallEventArgs.Incoming(handle, caller, Origin(call.Origin), call.IncomingSource?.Address));
    }

    /// <summary>How the user agent let the caller in (by the INVITE's source), in the station's terms.</summary>
    internal static CallerOrigin Origin(IncomingCallOrigin origin) => origin switch
    {
        IncomingCallOrigin.Server => CallerOrigin.Registrar,
        IncomingCallOrigin.TrustedNetwork => CallerOrigin.TrustedSource,
        IncomingCallOrigin.Authenticated => CallerOrigin.Authenticated,
        IncomingCallOrigin.WebPage => CallerOrigin.WebPage,
        _ => CallerOrigin.Unverified,
    };

    /// <summary>The events of one SIP call of <paramref name="leg"/> (each failover attempt is a call of its own).</summary>
    private void Attach(Leg leg, SipCall call)
    {
        var handle = leg.Handle;
        call.Ringing += (_, _) =>
        {
            lock (leg)
            {
                leg.Rang = true;
            }

            Raise(CallEventArgs.Ringing(handle));
        };
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
        call.Ended += ended => OnEnded(leg, ended);
    }

    // On the SIP loop.
    private void OnEnded(Leg leg, SipCall ended)
    {
        SipUri? redirected = null;
        lock (leg)
        {
            if (leg.Media is { } media && leg.Answered)
            {
                LogMedia(leg.Handle.Id, CallMediaStatistics.Of(media.Rtp));
            }

            leg.Media?.Dispose();
            leg.Media = null;
            if (!ended.IsIncoming && !leg.Answered && !leg.HungUp && CallRedirection.Follows(ended.EndStatus)
                && leg.Redirects < CallRedirection.MaxHops && leg.Account is { } current && leg.Uri is { } from
                && CallRedirection.TryNext(ended.RedirectTargets, leg.Configured ?? from, leg.Profile!.Accounts, leg.Visited, out var target))
            {
                // A forward (302 from a desk phone to a mobile): the same leg rings the new target, through the account
                // whose server it is on (else the one the leg was on), within the same ring timeout.
                leg.Configured ??= from;
                leg.Visited.Add(CallRedirection.Key(from));
                leg.Visited.Add(CallRedirection.Key(target));
                leg.Redirects++;
                var account = leg.Profile.Accounts.FirstOrDefault(a => a.Serves(target)) ?? current;
                if (Place(leg, account, target))
                {
                    redirected = target;
                }
            }

            if (redirected is null
                && !ended.IsIncoming && !leg.Answered && !leg.Rang && !leg.HungUp && !leg.MediaTimedOut && CallAccountSelection.FailsOver(ended)
                && leg.Account is { } failed && CallAccountSelection.Next(leg.Profile!.Accounts, leg.Tried) is { } next
                && CallAccountSelection.TryRetarget(leg.Target, leg.Uri!, failed, next, out var uri)
                && Place(leg, next, uri))
            {
                // The next account's call is the leg now; its own events follow.
                return;
            }
        }

        if (redirected is not null)
        {
            Raise(CallEventArgs.Redirected(leg.Handle, redirected.ToString(), ended.EndStatus ?? 0));
            return;
        }

        _legs.TryRemove(leg.Handle.Id, out _);
        var reason = leg.MediaTimedOut ? StationEnd.Failed : MapEnd(ended.EndReason, ended.EndStatus);
        Raise(CallEventArgs.Ended(leg.Handle, reason, ended.EndStatus ?? 0));
    }

    private void AttachDigits(Leg leg, CallMediaSession media)
    {
        media.DigitReceived += (digit, source) => ReportDigit(leg, digit, source);
        media.MediaFailed += reason =>
        {
            // DTLS-SRTP failed (a handshake error or a certificate that is not the signalled one): no secure media, no call.
            // The reason goes to the journal: the call's end says only "Failed", and an installer (or someone looking for
            // an attack) needs to know it was the handshake and why.
            LogSecureMediaFailed(_log, leg.Handle.Id, reason);
            lock (leg)
            {
                leg.MediaTimedOut = true;
            }

            leg.Call?.Hangup();
        };
        media.MediaTimedOut += () =>
        {
            lock (leg)
            {
                if (!leg.Answered)
                {
                    // Early media agreed while ringing, and the peer sends nothing until it answers: not a dead call.
                    media.Stream.RestartMediaTimeout();
                    return;
                }

                leg.MediaTimedOut = true;
            }

            // The peer vanished without a BYE (crash, network gone): end the call; the door's relay is not touched.
            leg.Call?.Hangup();
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

    private sealed class Leg(CallHandle handle, DtmfDeduplicator deduplicator)
    {
        public CallHandle Handle { get; } = handle;

        /// <summary>
        /// The SIP call now: an outgoing leg's is replaced when it falls over to the next account; null while the first
        /// attempt's RTP mapping is still being learned by STUN (no INVITE sent yet).
        /// </summary>
        public SipCall? Call { get; set; }

        public DtmfDeduplicator Deduplicator { get; } = deduplicator;

        public CallMediaSession? Media { get; set; }

        /// <summary>The account the call is on (outgoing: the one tried last; incoming: the one whose binding it reached).</summary>
        public CallAccount? Account { get; set; }

        /// <summary>The accounts and media the leg started with (a configuration change applies from the next call on).</summary>
        public CallProfile? Profile { get; init; }

        /// <summary>The target as the station gave it (an extension is put on each account's domain).</summary>
        public string Target { get; init; } = "";

        /// <summary>The Request-URI of the current attempt.</summary>
        public SipUri? Uri { get; set; }

        /// <summary>The Request-URI the leg was configured with, once a redirect moved it elsewhere (redirects stay near it).</summary>
        public SipUri? Configured { get; set; }

        /// <summary>Redirects followed so far, and the URIs rung (loop detection), see <see cref="CallRedirection"/>.</summary>
        public int Redirects { get; set; }

        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);

        /// <summary>The accounts an outgoing leg went out through, in order.</summary>
        public List<CallAccount> Tried { get; } = [];

        /// <summary>True once the callee's side rang (180/183): a failure after that is the callee's, not the account's.</summary>
        public bool Rang { get; set; }

        /// <summary>True once the station hung the leg up: no further attempt.</summary>
        public bool HungUp { get; set; }

        /// <summary>True once the call is answered (2xx for ours, ACK for theirs); before that digits wait.</summary>
        public bool Answered { get; set; }

        public List<(char Digit, Media.Dtmf.DtmfSource Source)> EarlyDigits { get; } = [];

        /// <summary>True when the call is being ended because its RTP stopped.</summary>
        public bool MediaTimedOut { get; set; }
    }

    private void LogMedia(long call, CallMediaStatistics statistics)
    {
        if (statistics.HeardNothing)
        {
            LogHeardNothing(_log, call, statistics);
        }
        else
        {
            LogMediaSummary(_log, call, statistics);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "call {Call}: media: {Statistics}")]
    private static partial void LogMediaSummary(ILogger logger, long call, CallMediaStatistics statistics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "call {Call}: no media from the peer was taken (one-way audio): {Statistics}")]
    private static partial void LogHeardNothing(ILogger logger, long call, CallMediaStatistics statistics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "call {Call}: secure media failed, ending the call: {Reason}")]
    private static partial void LogSecureMediaFailed(ILogger logger, long call, string reason);
}
