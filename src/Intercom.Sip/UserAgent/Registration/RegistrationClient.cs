using System.Globalization;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.UserAgent.Registration;

/// <summary>
/// Keeps one account registered (RFC 3261 §10.2): REGISTER with a stable Call-ID and growing CSeq (§10.2.4), digest
/// authentication, refresh before expiry, 423 Min-Expires (§10.2.8), back-off with jitter after failures (RFC 5626 §4.5),
/// a bounded number of attempts when the password is wrong, the Contact corrected from the received/rport the registrar
/// saw (RFC 3581, RFC 5626 §5), NAT keepalives (RFC 5626 §4.4.1) and removal of the binding on stop (§10.2.2).
/// All protocol state lives on the <see cref="SipLoop"/>; the public methods may be called from any thread.
/// </summary>
/// <remarks>
/// <code>
/// var client = new RegistrationClient(transactionLayer, locator, new RegistrationOptions
/// {
///     AddressOfRecord = SipUri.Parse("sip:door@example.com"),
///     Credentials = new DigestCredentials("door", "secret"),
/// });
/// client.StatusChanged += (_, status) => log(status);   // raised on the SIP loop
/// client.Start();
/// ...
/// await client.StopAsync();                              // unregisters (Expires: 0)
/// </code>
/// A configuration change is a new client: stop the old one, start a new one (which also lifts AuthenticationFailed).
/// </remarks>
public sealed class RegistrationClient : IClientTransactionUser, IDisposable
{
    // Per attempt: challenges answered (a 407 then a 401 is two), 423s followed, and address corrections in a row.
    private const int MaxChallengeRounds = 4;
    private const int MaxIntervalTooBriefRounds = 3;
    private const int MaxContactUpdates = 3;
    private const uint MaxMinExpires = 86_400;

    private static readonly TimeSpan DefaultUdpKeepAlive = TimeSpan.FromSeconds(25);
    // RFC 5626 §4.4.1 suggests about two minutes for streams; 90 s stays inside the transport's idle timeout (2 min).
    private static readonly TimeSpan DefaultStreamKeepAlive = TimeSpan.FromSeconds(90);

    private readonly TransactionLayer _layer;
    private readonly SipLoop _loop;
    private readonly TimeProvider _time;
    private readonly SipServerLocator _locator;
    private readonly ISipKeepAliveSender? _keepAliveSender;
    private readonly Random _random;
    private readonly RegistrationOptions _options;
    private readonly DigestAuthenticator? _authenticator;
    private readonly SipTimer _timer;
    private readonly SipTimer _keepAliveTimer;
    private readonly KeepAliveUser _keepAliveUser;
    private readonly OutboundFlow _outbound;
    private readonly string _callId;
    private readonly string _fromTag;
    private readonly SipUri _registrarUri;
    private readonly SipUri _locateUri;

    private RegistrationStatus _status = new(RegistrationState.Unregistered, "not started");
    private uint _cseq;
    private uint _requestedExpires;
    private uint _pendingCSeq;
    private bool _inFlight;
    private IReadOnlyList<SipDestination> _targets = [];
    private SipDestination? _destination;
    private string[] _authenticatedRealms = [];
    private SipUri? _contact;
    private SipUri? _staleContact;
    private SipTransportProtocol _contactProtocol;
    private DateTimeOffset? _expiresAt;
    private int _failures;
    private int _authenticationRounds;
    private int _challengeRounds;
    private int _briefRounds;
    private int _contactUpdates;
    private int _generation;
    private bool _running;
    private bool _unregistering;
    private TaskCompletionSource? _stopped;
    private TimeSpan _keepAlivePeriod;
    private long _registerRequestsSent;
    private long _keepAlivesSent;

    /// <summary>Creates a client; nothing is sent before <see cref="Start"/>.</summary>
    /// <param name="layer">The transaction layer (its loop owns this client).</param>
    /// <param name="locator">RFC 3263 location of the registrar or outbound proxy.</param>
    /// <param name="options">The account.</param>
    /// <param name="keepAliveSender">
    /// Sends CRLF keepalives on flows; by default the <see cref="SipTransportLayer"/> under <paramref name="layer"/>. With
    /// neither, keepalives are OPTIONS requests.
    /// </param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public RegistrationClient(TransactionLayer layer, SipServerLocator locator, RegistrationOptions options,
        ISipKeepAliveSender? keepAliveSender = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.AddressOfRecord.IsSip || string.IsNullOrEmpty(options.AddressOfRecord.User))
        {
            throw new ArgumentException("The address-of-record must be a sip: or sips: URI with a user part.", nameof(options));
        }

        _layer = layer;
        _loop = layer.Loop;
        _time = _loop.TimeProvider;
        _locator = locator;
        _options = options;
        _keepAliveSender = keepAliveSender ?? (layer.Transport is SipTransportLayer transport ? new TransportKeepAlive(transport) : null);
        _random = random ?? Random.Shared;
        _authenticator = options.Credentials is { } credentials ? new DigestAuthenticator(credentials) : null;
        _timer = _loop.CreateTimer(static s => ((RegistrationClient)s!).OnTimer(), this);
        _keepAliveTimer = _loop.CreateTimer(static s => ((RegistrationClient)s!).OnKeepAliveTimer(), this);
        _keepAliveUser = new KeepAliveUser(this);
        _outbound = new OutboundFlow(_loop, OnPongMissing);
        _callId = RandomToken() + "@intercom";
        _fromTag = RandomToken();
        _requestedExpires = ToSeconds(options.Expires);

        // RFC 3261 §10.2: the Request-URI names the registrar's domain, without user part.
        SipUri aor = options.AddressOfRecord;
        _registrarUri = options.Registrar?.Clone() ?? new SipUri(aor.Scheme, null, aor.Host, aor.Port);
        _registrarUri.User = null;
        _locateUri = options.OutboundProxy ?? _registrarUri;
    }

    /// <summary>Raised on the SIP loop whenever <see cref="Status"/> changes.</summary>
    public event EventHandler<RegistrationStatus>? StatusChanged;

    /// <summary>The current status; readable from any thread.</summary>
    public RegistrationStatus Status => Volatile.Read(ref _status);

    /// <summary>The account.</summary>
    public RegistrationOptions Options => _options;

    /// <summary>REGISTER requests sent so far (each transaction once, retransmissions not counted); readable from any thread.</summary>
    public long RegisterRequestsSent => Interlocked.Read(ref _registerRequestsSent);

    /// <summary>Keepalives sent (CRLF pings and OPTIONS); readable from any thread.</summary>
    public long KeepAlivesSent => Interlocked.Read(ref _keepAlivesSent);

    /// <summary>
    /// Every destination the last lookup of the registrar (or outbound proxy) found (RFC 3263), the one in use first; empty
    /// before the first lookup. The station lets in calls from these addresses. Readable from any thread.
    /// </summary>
    public IReadOnlyList<SipDestination> Servers => Volatile.Read(ref _targets);

    /// <summary>
    /// The server (transport, address) the registration last heard from: the account's flow, over which its other
    /// requests may be challenged. Null before an answer and after a timeout. Read on the SIP loop.
    /// </summary>
    public SipDestination? Destination => _destination;

    /// <summary>
    /// The realms whose credentials the registrar accepted (those of the last REGISTER it answered 2xx): the protection
    /// space the account's credentials belong to (RFC 3261 §22.1). Empty until then, or when it asked for none. Read on
    /// the SIP loop.
    /// </summary>
    public IReadOnlyCollection<string> AuthenticatedRealms => _authenticatedRealms;

    /// <summary>The Call-ID all REGISTERs of this client share (RFC 3261 §10.2.4).</summary>
    public string CallId => _callId;

    /// <summary>Starts registering (again). After AuthenticationFailed this is the "configuration changed" signal: the attempt count is reset.</summary>
    public void Start() => _loop.Post(static s => ((RegistrationClient)s!).StartOnLoop(), this);

    /// <summary>
    /// Registers now instead of waiting for the refresh or retry timer (e.g. after the network changed). Does nothing in
    /// AuthenticationFailed: a flapping network must not turn a wrong password into a REGISTER storm.
    /// </summary>
    public void Reregister() => _loop.Post(static s => ((RegistrationClient)s!).ReregisterOnLoop(), this);

    /// <summary>
    /// Tells the client a TCP/TLS flow closed (wire <see cref="SipTransportLayer.ConnectionClosed"/> here): when it is the
    /// flow of the registration, register again at once over a new one (RFC 5626 §4.4).
    /// </summary>
    public void OnFlowClosed(SipDestination destination) =>
        _loop.Post(static s =>
        {
            var (client, d) = ((RegistrationClient, SipDestination))s!;
            if (client._destination == d && client._status.State == RegistrationState.Registered)
            {
                client.Locate("connection to the registrar closed");
            }
        }, (this, destination));

    /// <summary>
    /// Tells the client an RFC 5626 pong arrived on a TCP/TLS flow (wire <see cref="SipTransportLayer.KeepAlivePongReceived"/>
    /// here): while outbound is in use, a ping on the registration's flow unanswered for 10 s is a failed flow (§4.4.1).
    /// </summary>
    public void OnKeepAlivePong(SipDestination destination) =>
        _loop.Post(static s =>
        {
            var (client, d) = ((RegistrationClient, SipDestination))s!;
            client._outbound.OnPong(d);
        }, (this, destination));

    /// <summary>
    /// Removes the binding (REGISTER with Expires: 0, RFC 3261 §10.2.2) and stops. The task completes when the registrar
    /// answered or the transaction failed; nothing more is sent after it.
    /// </summary>
    public Task StopAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(static s =>
        {
            var (client, tcs) = ((RegistrationClient, TaskCompletionSource))s!;
            client.StopOnLoop(tcs);
        }, (this, done));
        return done.Task;
    }

    /// <summary>Stops the timers without unregistering (on the loop). Use <see cref="StopAsync"/> first for a clean stop.</summary>
    public void Dispose()
    {
        if (_loop.IsOnLoop)
        {
            DisposeOnLoop();
        }
        else
        {
            _loop.Post(static s => ((RegistrationClient)s!).DisposeOnLoop(), this);
        }
    }

    void IClientTransactionUser.OnProvisional(ClientTransaction transaction, SipResponse response)
    {
    }

    void IClientTransactionUser.OnFinal(ClientTransaction transaction, SipResponse response)
    {
        if (!IsCurrent(transaction))
        {
            return;
        }

        _inFlight = false;
        _destination = transaction.Destination;
        int code = response.StatusCode;
        if (code is >= 200 and < 300)
        {
            string[] realms = [.. DigestAuthorization.ReadAll(transaction.Request, SipHeaderNames.Authorization)
                .Concat(DigestAuthorization.ReadAll(transaction.Request, SipHeaderNames.ProxyAuthorization)).Select(a => a.Realm).Distinct(StringComparer.Ordinal)];
            if (realms.Length > 0 && !_unregistering)
            {
                // A refresh the registrar took without asking keeps the realm it had learned.
                _authenticatedRealms = realms;
            }

            OnSuccess(response);
        }
        else if (code is 401 or 407)
        {
            OnChallenge(transaction.Request, response);
        }
        else if (code == 423)
        {
            OnIntervalTooBrief(response);
        }
        else if (code == 403)
        {
            // RFC 3261 §21.4.4: understood and refused; repeating the request will not help. After our credentials this
            // is how many registrars say "wrong password".
            AuthenticationFailed(Describe(response) + (HasCredentials(transaction.Request) ? " after credentials" : string.Empty), code);
        }
        else
        {
            Fail(Describe(response), code, RetryAfter(response));
        }
    }

    void IClientTransactionUser.OnTimeout(ClientTransaction transaction)
    {
        if (IsCurrent(transaction))
        {
            _inFlight = false;
            _destination = null;
            Fail($"no answer from {transaction.Destination}", null, null);
        }
    }

    void IClientTransactionUser.OnTransportError(ClientTransaction transaction, SipTransportError error)
    {
        if (IsCurrent(transaction))
        {
            _inFlight = false;
            _destination = null;
            Fail($"{error} to {transaction.Destination}", null, null);
        }
    }

    private void StartOnLoop()
    {
        _running = true;
        _unregistering = false;
        _failures = 0;
        _authenticationRounds = 0;
        _authenticator?.Reset();
        Locate("registering");
    }

    private void ReregisterOnLoop()
    {
        if (_running && !_unregistering && _status.State != RegistrationState.AuthenticationFailed)
        {
            Locate("re-registering");
        }
    }

    private void StopOnLoop(TaskCompletionSource done)
    {
        if (_unregistering && _stopped is not null)
        {
            _ = _stopped.Task.ContinueWith(static (_, s) => ((TaskCompletionSource)s!).TrySetResult(), done, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        bool wasRunning = _running;
        _running = false;
        _generation++;
        _timer.Cancel();
        _keepAliveTimer.Cancel();
        _outbound.Reset();
        bool bound = (_expiresAt is { } expires && expires > _time.GetUtcNow()) || _inFlight;
        if (wasRunning && bound && _contact is not null && _targets.Count > 0)
        {
            _unregistering = true;
            _stopped = done;
            _challengeRounds = 0;
            SetStatus(RegistrationState.Unregistering, "removing the binding");
            SendRegister();
            return;
        }

        _expiresAt = null;
        SetStatus(RegistrationState.Stopped, "stopped");
        done.TrySetResult();
    }

    private void DisposeOnLoop()
    {
        _running = false;
        _timer.Dispose();
        _keepAliveTimer.Dispose();
        _outbound.Dispose();
    }

    private void FinishStop(string reason)
    {
        _unregistering = false;
        _inFlight = false;
        _expiresAt = null;
        SetStatus(RegistrationState.Stopped, reason);
        _stopped?.TrySetResult();
        _stopped = null;
    }

    /// <summary>Resolves the registrar (or outbound proxy) per RFC 3263, then sends. DNS runs off the loop; the answer is posted back.</summary>
    private void Locate(string reason)
    {
        _timer.Cancel();
        _challengeRounds = 0;
        _briefRounds = 0;
        int generation = ++_generation;
        _outbound.Reset();
        SetStatus(RegistrationState.Registering, reason);
        SipUri uri = _locateUri;
        SipTransportProtocol? transport = _options.Transport;
        if (transport is null && uri.Transport is { } token && SipTransportProtocolExtensions.TryParseSipTransport(token, out SipTransportProtocol parsed))
        {
            transport = parsed;
        }

        Task<IReadOnlyList<SipDestination>> lookup;
        try
        {
            lookup = _locator.LocateAsync(uri.MAddr ?? uri.Host, uri.Port, transport, uri.IsSecure);
        }
#pragma warning disable CA1031 // A resolver failure of any kind is a failed attempt, retried with back-off.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lookup = Task.FromException<IReadOnlyList<SipDestination>>(ex);
        }

        if (lookup.IsCompleted)
        {
            OnLocated(lookup, generation);
            return;
        }

        _ = lookup.ContinueWith(static (task, s) =>
        {
            var (client, generation) = ((RegistrationClient, int))s!;
            client._loop.Post(static s2 =>
            {
                var (c, t, g) = ((RegistrationClient, Task<IReadOnlyList<SipDestination>>, int))s2!;
                c.OnLocated(t, g);
            }, (client, task, generation));
        }, (this, generation), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnLocated(Task<IReadOnlyList<SipDestination>> lookup, int generation)
    {
        if (generation != _generation || !_running)
        {
            return;
        }

        if (!lookup.IsCompletedSuccessfully || lookup.Result.Count == 0)
        {
            Fail($"no server found for {_locateUri}", null, null);
            return;
        }

        // Stay with the server that answered last (its flow, its nonce) when it is still among the targets.
        var targets = new List<SipDestination>(lookup.Result);
        if (_destination is { } last && targets.IndexOf(last) is > 0 and var index)
        {
            targets.RemoveAt(index);
            targets.Insert(0, last);
        }

        Volatile.Write(ref _targets, targets);
        if (_contact is null || _contactProtocol != targets[0].Protocol)
        {
            _contact = BuildContactUri(targets[0]);
            _contactProtocol = targets[0].Protocol;
            _staleContact = null;
        }

        SendRegister();
    }

    private void SendRegister()
    {
        uint expires = _unregistering ? 0 : _requestedExpires;
        SipRequest request = BuildRegister(expires);
        _authenticator?.Authorize(request);
        _pendingCSeq = _cseq;
        _inFlight = true;
        Interlocked.Increment(ref _registerRequestsSent);
        _layer.SendRequest(request, _targets, this);
    }

    private SipRequest BuildRegister(uint expires)
    {
        SipUri aor = _options.AddressOfRecord;
        var headers = new SipHeaders();
        headers.Add(SipHeaderNames.MaxForwards, "70");
        if (_options.OutboundProxy is { } proxy)
        {
            // RFC 3261 §8.1.2 with a pre-existing route set of one loose router.
            SipUri route = proxy.Clone();
            route.Parameters.Set("lr");
            headers.Add(SipHeaderNames.Route, new SipNameAddress(route).ToString());
        }

        headers.Add(SipHeaderNames.From, new SipNameAddress(aor.Clone(), _options.DisplayName) { Tag = _fromTag }.ToString());
        headers.Add(SipHeaderNames.To, new SipNameAddress(aor.Clone(), _options.DisplayName).ToString());
        headers.Add(SipHeaderNames.CallId, _callId);
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(++_cseq, SipMethods.Register).ToString());
        headers.Add(SipHeaderNames.Contact, ContactValue(_contact!, expires));
        if (_staleContact is not null && !_unregistering)
        {
            // The binding of our former address goes in the same request (RFC 3261 §10.2.2 with a per-contact expires);
            // without +sip.instance and reg-id, which identify the binding the new Contact just replaced (RFC 5626 §6):
            // with them, the registrar would remove that one.
            headers.Add(SipHeaderNames.Contact, ContactValue(_staleContact, 0, withInstance: false));
        }

        headers.Add(SipHeaderNames.Expires, expires.ToString(CultureInfo.InvariantCulture));
        if (OffersOutbound)
        {
            headers.Add(SipHeaderNames.Supported, "outbound, path");
        }

        if (_options.UserAgent is { } userAgent)
        {
            headers.Add(SipHeaderNames.UserAgent, userAgent);
        }

        return new SipRequest(SipMethods.Register, _registrarUri.Clone(), headers);
    }

    /// <summary>RFC 5626 §4.2.1: a REGISTER offers outbound with an instance id and a reg-id (and Supported: outbound).</summary>
    private bool OffersOutbound => _options.InstanceId is not null && _options.RegId is not null;

    private string ContactValue(SipUri contact, uint expires, bool withInstance = true)
    {
        var address = new SipNameAddress(contact.Clone(), _options.DisplayName);
        address.Parameters.Add("expires", expires.ToString(CultureInfo.InvariantCulture));
        if (withInstance && _options.InstanceId is { } instance)
        {
            // RFC 5626 §4.1: +sip.instance="<urn:uuid:...>", and reg-id for each flow.
            address.Parameters.Add("+sip.instance", "\"<" + instance + ">\"");
            if (_options.RegId is int regId)
            {
                address.Parameters.Add("reg-id", regId.ToString(CultureInfo.InvariantCulture));
            }
        }

        return address.ToString();
    }

    private SipUri BuildContactUri(SipDestination destination)
    {
        // The transport knows which local address and port will send to this destination (its Via sent-by).
        SipVia via = _layer.Transport.CreateVia(destination, TransactionLayer.NewBranch());
        bool secure = _options.AddressOfRecord.IsSecure;
        var uri = new SipUri(secure ? "sips" : "sip", _options.ContactUser ?? _options.AddressOfRecord.User, via.Host, via.Port);
        if (destination.Protocol != SipTransportProtocol.Udp && !secure)
        {
            uri.Parameters.Add("transport", destination.Protocol == SipTransportProtocol.Tcp ? "tcp" : "tls");
        }

        return uri;
    }

    private void OnSuccess(SipResponse response)
    {
        _failures = 0;
        _authenticationRounds = 0;
        _challengeRounds = 0;
        _briefRounds = 0;
        if (_unregistering)
        {
            FinishStop("unregistered: " + Describe(response));
            return;
        }

        _staleContact = null;
        if (LearnedContact(response) is { } learned && _contactUpdates < MaxContactUpdates)
        {
            // RFC 3581 §4 / RFC 5626 §5: the registrar saw another address than ours (a NAT); register the one it can reach.
            _contactUpdates++;
            _staleContact = _contact;
            _contact = learned;
            _expiresAt = null;
            SetStatus(RegistrationState.Registering, $"public address {learned.Host}:{learned.Port} learned from Via");
            SendRegister();
            return;
        }

        _contactUpdates = 0;
        uint granted = GrantedExpires(response);
        if (granted == 0)
        {
            Fail("registrar granted no time (expires=0)", response.StatusCode, null);
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        _expiresAt = now + TimeSpan.FromSeconds(granted);
        TimeSpan refresh = RefreshDelay(granted);
        _timer.Start(refresh);
        _outbound.OnRegistered(response, OffersOutbound);
        StartKeepAlive();
        string reason = Describe(response);
        if (_outbound.InUse)
        {
            reason += _outbound.FlowTimer is { } flowTimer
                ? $" (outbound, flow {_destination}, Flow-Timer {flowTimer.TotalSeconds:0} s)"
                : $" (outbound, flow {_destination})";
        }

        SetStatus(RegistrationState.Registered, reason, response.StatusCode, now + refresh);
    }

    private void OnChallenge(SipRequest request, SipResponse response)
    {
        if (_authenticator is null)
        {
            AuthenticationFailed(Describe(response) + ": no credentials configured", response.StatusCode);
            return;
        }

        if (++_challengeRounds > MaxChallengeRounds)
        {
            AuthenticationFailed(Describe(response) + ": too many challenges", response.StatusCode);
            return;
        }

        switch (_authenticator.HandleChallenge(request, response))
        {
            case DigestChallengeOutcome.Authorized:
                SendRegister();
                break;
            case DigestChallengeOutcome.CredentialsRejected:
                AuthenticationFailed(Describe(response) + ": credentials refused", response.StatusCode);
                break;
            case DigestChallengeOutcome.NoCredentials:
                AuthenticationFailed(Describe(response) + ": no credentials for the realm", response.StatusCode);
                break;
            default:
                AuthenticationFailed(Describe(response) + ": challenge not supported", response.StatusCode);
                break;
        }
    }

    private void OnIntervalTooBrief(SipResponse response)
    {
        // RFC 3261 §10.2.8: retry with an expiry not below Min-Expires.
        string? text = response.Headers.Get(SipHeaderNames.MinExpires);
        if (!_unregistering && text is not null && uint.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint min) &&
            min > _requestedExpires && min <= MaxMinExpires && ++_briefRounds <= MaxIntervalTooBriefRounds)
        {
            _requestedExpires = min;
            SendRegister();
            return;
        }

        Fail(Describe(response) + " without a usable Min-Expires", response.StatusCode, null);
    }

    private void Fail(string reason, int? code, TimeSpan? retryAfter)
    {
        if (_unregistering)
        {
            FinishStop("stopped; unregister failed: " + reason);
            return;
        }

        if (!_running)
        {
            return;
        }

        _keepAliveTimer.Cancel();
        _outbound.Reset();
        _failures++;
        TimeSpan delay = RetryDelay(_failures);
        if (retryAfter is { } after && after > delay)
        {
            delay = after < _options.RetryMaximumDelay ? after : _options.RetryMaximumDelay;
        }

        _timer.Start(delay);
        if (_expiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            _expiresAt = null;
        }

        SetStatus(RegistrationState.Retrying, reason, code, _time.GetUtcNow() + delay);
    }

    private void AuthenticationFailed(string reason, int code)
    {
        if (_unregistering)
        {
            FinishStop("stopped; unregister refused: " + reason);
            return;
        }

        _keepAliveTimer.Cancel();
        _outbound.Reset();
        _authenticationRounds++;
        DateTimeOffset? next = null;
        if (_authenticationRounds < _options.MaxAuthenticationAttempts)
        {
            _timer.Start(_options.AuthenticationRetryDelay);
            next = _time.GetUtcNow() + _options.AuthenticationRetryDelay;
        }
        else
        {
            _timer.Cancel();
            reason += $"; gave up after {_authenticationRounds} attempts";
        }

        SetStatus(RegistrationState.AuthenticationFailed, reason, code, next);
    }

    private void OnTimer()
    {
        if (!_running)
        {
            return;
        }

        if (_status.State == RegistrationState.Registered && _targets.Count > 0)
        {
            // A refresh keeps the server and flow it has; only failures re-resolve.
            _challengeRounds = 0;
            _briefRounds = 0;
            SendRegister();
            return;
        }

        Locate(_status.State == RegistrationState.AuthenticationFailed ? "retrying credentials" : "retrying");
    }

    private void StartKeepAlive()
    {
        SipTransportProtocol protocol = _destination?.Protocol ?? SipTransportProtocol.Udp;
        TimeSpan period = _outbound.KeepAlivePeriod(_options.KeepAliveInterval, protocol.IsStream() ? DefaultStreamKeepAlive : DefaultUdpKeepAlive);
        _keepAlivePeriod = period;
        if (period <= TimeSpan.Zero)
        {
            _keepAliveTimer.Cancel();
            return;
        }

        ScheduleKeepAlive();
    }

    private void ScheduleKeepAlive()
    {
        // RFC 5626 §4.4.1: a random 80–100% of the interval, so that many stations behind one NAT do not beat in step.
        _keepAliveTimer.Start(_keepAlivePeriod * (0.8 + (0.2 * _random.NextDouble())));
    }

    private void OnKeepAliveTimer()
    {
        if (!_running || _status.State != RegistrationState.Registered || _destination is not { } destination)
        {
            return;
        }

        Interlocked.Increment(ref _keepAlivesSent);
        bool useOptions = _keepAliveSender is null || (destination.Protocol == SipTransportProtocol.Udp && _options.UdpKeepAlive == SipKeepAliveMethod.Options);
        if (useOptions)
        {
            _layer.SendRequest(BuildOptions(), [destination], _keepAliveUser);
        }
        else if (!_keepAliveSender!.SendKeepAlive(destination))
        {
            // The flow is gone (RFC 5626 §4.4.1: a failed keepalive means a failed flow): register over a new one.
            Locate("keepalive flow lost");
            return;
        }
        else
        {
            _outbound.OnPingSent(destination);
        }

        ScheduleKeepAlive();
    }

    private SipRequest BuildOptions()
    {
        var headers = new SipHeaders();
        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, new SipNameAddress(_options.AddressOfRecord.Clone()) { Tag = RandomToken() }.ToString());
        headers.Add(SipHeaderNames.To, new SipNameAddress(_registrarUri.Clone()).ToString());
        headers.Add(SipHeaderNames.CallId, RandomToken() + "@intercom");
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(1, SipMethods.Options).ToString());
        return new SipRequest(SipMethods.Options, _registrarUri.Clone(), headers);
    }

    private void OnPongMissing(SipDestination flow)
    {
        if (_running && _status.State == RegistrationState.Registered && _destination == flow)
        {
            // RFC 5626 §4.4.1: the flow failed. Drop its connection, or the next REGISTER would queue on it, and register
            // over a new flow at once (§4.5: the back-off applies only if that fails).
            _keepAliveSender?.CloseFlow(flow);
            Locate($"no pong on the flow to {flow} within {OutboundFlow.PongTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// A keep-alive OPTIONS was answered. Its top Via carries the address and port the registrar saw it come from
    /// (received/rport, RFC 3581 §4). When that is no longer the Contact the registration holds, the NAT in front of us
    /// lost the flow's mapping (it expired, or the router restarted) and made a new one: the registered binding names a
    /// public port that nothing forwards any more, so calls would not reach us until the next refresh. That is a
    /// failed flow (RFC 5626 §4.4.2 says the same of a changed STUN XOR-MAPPED-ADDRESS): register the new address now,
    /// removing the stale one in the same request, as after the first REGISTER.
    /// </summary>
    private void OnKeepAliveAnswered(ClientTransaction transaction, SipResponse response)
    {
        if (!_running || _inFlight || _status.State != RegistrationState.Registered || _destination != transaction.Destination ||
            LearnedContact(response) is not { } moved)
        {
            return;
        }

        SipUri registered = _contact!;
        _staleContact = registered;
        _contact = moved;
        _contactUpdates = 0;
        _expiresAt = null;
        _keepAliveTimer.Cancel();
        _timer.Cancel();
        _challengeRounds = 0;
        _briefRounds = 0;
        _outbound.Reset();
        SetStatus(RegistrationState.Registering,
            $"flow failed: keep-alive answered for {moved.Host}:{moved.Port}, not the registered {registered.Host}:{registered.Port} (NAT mapping changed)");
        SendRegister();
    }

    private void OnKeepAliveFailed()
    {
        if (_running && _status.State == RegistrationState.Registered)
        {
            Locate("keepalive OPTIONS failed");
        }
    }

    private SipUri? LearnedContact(SipResponse response)
    {
        if (_contact is null || response.TopVia is not { } via || _destination is not { } destination)
        {
            return null;
        }

        string? received = via.Received;
        int? rport = via.Rport;
        int defaultPort = destination.Protocol.DefaultPort();
        string host;
        int port;
        if (destination.Protocol == SipTransportProtocol.Udp)
        {
            host = received is null ? _contact.Host : Bracket(received);
            port = rport ?? _contact.Port ?? defaultPort;
        }
        else
        {
            // On TCP/TLS rport is the connection's ephemeral port and says nothing of a NAT by itself; only a received
            // address other than our own shows one, and then the registrar reaches us over this connection.
            if (received is null || string.Equals(Bracket(received), via.Host, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            host = Bracket(received);
            port = rport ?? _contact.Port ?? defaultPort;
        }

        if (string.Equals(host, _contact.Host, StringComparison.OrdinalIgnoreCase) && port == (_contact.Port ?? defaultPort))
        {
            return null;
        }

        SipUri learned = _contact.Clone();
        learned.Host = host;
        learned.Port = port;
        return learned;
    }

    private uint GrantedExpires(SipResponse response)
    {
        // RFC 3261 §10.2.4: the expires parameter of our Contact in the 200, else the Expires header, else what we asked.
        foreach (SipNameAddress contact in response.Contacts)
        {
            if (IsOurs(contact) && contact.Parameters.Get("expires") is { } text &&
                uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint seconds))
            {
                return seconds;
            }
        }

        return response.Expires ?? _requestedExpires;
    }

    private bool IsOurs(SipNameAddress contact)
    {
        if (_options.InstanceId is { } instance && contact.Parameters.Get("+sip.instance") is { } theirs)
        {
            return theirs.Trim('"', '<', '>').Equals(instance, StringComparison.OrdinalIgnoreCase);
        }

        return _contact is not null && contact.Uri.Equals(_contact);
    }

    private TimeSpan RefreshDelay(uint granted)
    {
        // Half the expiry or expiry minus 5 s, whichever is smaller, but not below the floor (nor above the cap).
        TimeSpan expiry = TimeSpan.FromSeconds(granted);
        TimeSpan half = expiry / 2;
        TimeSpan early = expiry - TimeSpan.FromSeconds(5);
        TimeSpan delay = half < early ? half : early;
        if (_options.MaximumRefreshInterval is { } cap && delay > cap)
        {
            delay = cap;
        }

        return delay < _options.MinimumRefreshInterval ? _options.MinimumRefreshInterval : delay;
    }

    /// <summary>
    /// RFC 5626 §4.5: min(max-time, base-time · 2^(failures−1)), then a random 50–100% of it, so that stations that failed
    /// together (a registrar restart) do not come back together.
    /// </summary>
    internal TimeSpan RetryDelay(int failures)
    {
        double factor = Math.Pow(2, Math.Min(failures - 1, 30));
        double wait = Math.Min(_options.RetryMaximumDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * factor);
        return TimeSpan.FromMilliseconds(wait * (0.5 + (0.5 * _random.NextDouble())));
    }

    private bool IsCurrent(ClientTransaction transaction) =>
        (_running || _unregistering) && _inFlight && transaction.Request.CSeq is { } cseq && cseq.Number == _pendingCSeq &&
        string.Equals(transaction.Request.CallId, _callId, StringComparison.Ordinal);

    private static bool HasCredentials(SipRequest request) =>
        request.Headers.Contains(SipHeaderNames.Authorization) || request.Headers.Contains(SipHeaderNames.ProxyAuthorization);

    private static TimeSpan? RetryAfter(SipResponse response)
    {
        // Retry-After = delta-seconds [comment] *(;params) (RFC 3261 §20.33); only the number matters here.
        if (response.Headers.Get(SipHeaderNames.RetryAfter) is not { } text)
        {
            return null;
        }

        ReadOnlySpan<char> s = text.AsSpan().TrimStart();
        int digits = 0;
        while (digits < s.Length && digits < 9 && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        return digits > 0 ? TimeSpan.FromSeconds(int.Parse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture)) : null;
    }

    private static string Describe(SipResponse response) =>
        response.StatusCode.ToString(CultureInfo.InvariantCulture) + " " + response.ReasonPhrase;

    private static string Bracket(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host;

    private static uint ToSeconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (uint)Math.Min(span.TotalSeconds, uint.MaxValue);

    private static string RandomToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    private void SetStatus(RegistrationState state, string reason, int? code = null, DateTimeOffset? next = null)
    {
        var status = new RegistrationStatus(state, reason, _expiresAt, code, _contact, _destination ?? (_targets.Count > 0 ? _targets[0] : null), next,
            Outbound: state == RegistrationState.Registered && _outbound.InUse);
        if (status == _status)
        {
            return;
        }

        Volatile.Write(ref _status, status);
        StatusChanged?.Invoke(this, status);
    }

    /// <summary>CRLF keepalives through the transport layer, which opens the connection again if it has gone.</summary>
    private sealed class TransportKeepAlive(SipTransportLayer transport) : ISipKeepAliveSender
    {
        public bool SendKeepAlive(SipDestination destination)
        {
            transport.SendKeepAlive(destination);
            return true;
        }

        public void CloseFlow(SipDestination destination) => transport.CloseConnection(destination);
    }

    /// <summary>
    /// Receives the outcome of keepalive OPTIONS: any answer is a live flow, though maybe through a new NAT mapping (its
    /// Via says); silence or a transport error is not.
    /// </summary>
    private sealed class KeepAliveUser(RegistrationClient client) : IClientTransactionUser
    {
        public void OnProvisional(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFinal(ClientTransaction transaction, SipResponse response) => client.OnKeepAliveAnswered(transaction, response);

        public void OnTimeout(ClientTransaction transaction) => client.OnKeepAliveFailed();

        public void OnTransportError(ClientTransaction transaction, SipTransportError error) => client.OnKeepAliveFailed();
    }
}
