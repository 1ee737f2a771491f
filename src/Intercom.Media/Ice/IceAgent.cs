using System.Net;
using System.Security.Cryptography;
using Intercom.Media.Nat;

namespace Intercom.Media.Ice;

/// <summary>
/// A full ICE agent (RFC 8445) for one data stream with one component (RTP and RTCP multiplexed, RFC 5761/8858), as the
/// controlling or the controlled agent. It gathers host, server-reflexive (through <see cref="StunBindingClient"/> on the
/// media socket) and relayed candidates (<see cref="IIceRelay"/>), checks pairs paced by Ta with Binding requests under
/// short-term credentials, answers the peer's checks (learning peer-reflexive candidates, queueing triggered checks,
/// resolving role conflicts with 487), nominates regularly when controlling, and keeps the selected pair's consent fresh
/// (RFC 7675): a check every 5 s ± 20 %, and consent lost — <see cref="IceAgentState.Failed"/> — 30 s after the last
/// authenticated answer.
/// <para>
/// Life: create it, add candidates and gather (the owner's thread, before any check can arrive: the peer has no
/// credentials until our SDP leaves), write <see cref="LocalCandidates"/> and <see cref="Credentials"/> into the SDP,
/// then <see cref="Start"/> and <see cref="SetRemote"/> when the peer's SDP is known. From <see cref="Start"/> on, every
/// input — a datagram from the socket's receive thread (<see cref="OnStunPacket"/>) or the relay's
/// (<see cref="OnRelayedPacket"/>), the timer, the peer's parameters — is handed to one work queue and runs one at a time,
/// so the protocol state has no locks. The media path reads only <see cref="SelectedPair"/>.
/// </para>
/// </summary>
public sealed class IceAgent : IStunPacketReceiver, IDisposable
{
    private const int BufferSize = 512;
    private const int MaxEarlyChecks = 16;
    private const int ComponentId = 1;

    // Once connected the timer only has consent to keep (5 s apart): a quarter second is fine-grained enough.
    private static readonly TimeSpan ConsentTick = TimeSpan.FromMilliseconds(250);

    private readonly IStunTransport _socket;
    private readonly IceAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _localKey;
    private readonly IceWorkQueue _work = new();
    private readonly ITimer _timer;
    private readonly List<IceLocalCandidate> _locals = [];
    private readonly List<IceCandidate> _remotes = [];
    private readonly List<IceCandidatePair> _valid = [];

    // The valid list again, copied on write for the media threads (IsValidRemote).
    private volatile IceCandidatePair[] _validPairs = [];
    private readonly Queue<IceCandidatePair> _triggered = new();
    private readonly Dictionary<StunTransactionId, IceCheckTransaction> _transactions = [];
    private readonly List<EarlyCheck> _early = [];
    private readonly byte[] _response = new byte[BufferSize];
    private readonly List<IceCandidatePair> _scratch = [];
    private readonly IceAnsweredChecks _answered = new();

    private volatile StunBindingClient? _binding;
    private volatile IceCandidatePair? _selected;
    private volatile IceAgentState _state = IceAgentState.New;
    private volatile bool _started;
    private volatile IceRole _role;
    private IceCheckList? _checkList;
    private IceMediaParameters? _remote;
    private byte[]? _remoteKey;
    private IceCheckTransaction? _nomination;
    private TimeSpan _period = Timeout.InfiniteTimeSpan;
    private long _checksStartedAt;
    private long _firstValidAt = -1;
    private long _lastConsent;
    private long _nextConsentAt;
    private int _prflxCount;
    private long _checksSent;
    private long _checksAnswered;
    private long _checksRefused;
    private long _roleSwitches;

    /// <param name="socket">The media socket: host and server-reflexive candidates send their checks through it.</param>
    public IceAgent(IStunTransport socket, IceAgentOptions? options = null)
    {
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
        _options = options ?? new IceAgentOptions();
        _time = _options.Time;
        Credentials = _options.Credentials ?? IceCredentials.Generate();
        _localKey = StunCredentials.ShortTermKey(Credentials.Password);
        _role = _options.Role;
        TieBreaker = _options.TieBreaker != 0 ? _options.TieBreaker : RandomTieBreaker();
        _timer = _time.CreateTimer(static state => ((IceAgent)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Our ufrag and password (RFC 8839 §5.4): the SDP carries them.</summary>
    public IceCredentials Credentials { get; }

    /// <summary>Our role now (a role conflict, RFC 8445 §7.3.1.1, or a lite peer, §6.1.1, may have changed it).</summary>
    public IceRole Role => _role;

    /// <summary>The 64-bit tie-breaker of role conflicts (§7.1.1).</summary>
    public ulong TieBreaker { get; }

    /// <summary>Where the agent is.</summary>
    public IceAgentState State => _state;

    /// <summary>
    /// The pair media uses: its <see cref="IceCandidatePair.RemoteEndPoint"/> is where RTP goes and the only source RTP is
    /// taken from; its local candidate's <see cref="IceLocalCandidate.Relay"/>, when set, is how it leaves. Null until a
    /// pair is nominated, and again once consent is lost.
    /// </summary>
    public IceCandidatePair? SelectedPair => _selected;

    /// <summary>Why the agent failed (no pair worked, consent lost), or null.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Our candidates for the SDP (host, server-reflexive, relayed), highest priority first.</summary>
    public IReadOnlyList<IceCandidate> LocalCandidates
    {
        get
        {
            var candidates = new List<IceCandidate>(_locals.Count);
            foreach (IceLocalCandidate local in _locals)
            {
                if (local.Candidate.Type != IceCandidateType.PeerReflexive)
                {
                    candidates.Add(local.Candidate);
                }
            }

            candidates.Sort(static (a, b) => b.Priority.CompareTo(a.Priority));
            return candidates;
        }
    }

    /// <summary>The check list (RFC 8445 §6.1.2) once the peer's candidates are known; read it from the agent's events only.</summary>
    public IReadOnlyList<IceCandidatePair> Pairs => _checkList?.Pairs ?? [];

    /// <summary>
    /// Of our candidates, the highest-priority one on which we answered an authenticated check from <paramref name="peer"/>
    /// (null: none): the pair the peer selects among those from that address of its own. Any thread.
    /// </summary>
    public IceLocalCandidate? AnsweredCandidateFor(IPEndPoint peer) => _answered.HighestAnswering(peer);

    /// <summary>Connectivity and consent checks sent, retransmissions included.</summary>
    public long ChecksSent => Interlocked.Read(ref _checksSent);

    /// <summary>The peer's checks answered with a success response.</summary>
    public long ChecksAnswered => Interlocked.Read(ref _checksAnswered);

    /// <summary>Checks refused (400, 401, 420, 487) or dropped (malformed, bad FINGERPRINT).</summary>
    public long ChecksRefused => Interlocked.Read(ref _checksRefused);

    /// <summary>Times a role conflict switched our role.</summary>
    public long RoleSwitches => Interlocked.Read(ref _roleSwitches);

    /// <summary>A pair was selected, or the selection moved to a better nominated pair (on the agent's work queue).</summary>
    public event Action<IceCandidatePair>? SelectedPairChanged;

    /// <summary>
    /// A check of ours on a pair succeeded (RFC 8445 §7.2.5.3.2): the pair is valid. The peer may send its media on any
    /// valid pair, not only the selected one (§12.1); Chromium, controlling, sends on the pair it prefers even when it
    /// nominated another first. Raised once per valid pair, on the agent's thread.
    /// </summary>
    public event Action<IceCandidatePair>? PairValidated;

    /// <summary>
    /// A check from the peer passed MESSAGE-INTEGRITY with our password (RFC 8445 §7.3): its source is the peer's own,
    /// before any pair is valid. Raised per check whose source is (or fits in the table as) a remote candidate, with the
    /// local candidate it came in on, on the agent's thread.
    /// </summary>
    public event Action<IPEndPoint, IceLocalCandidate>? CheckAuthenticated;

    /// <summary>
    /// Controlled: the peer nominated a pair, by a check with USE-CANDIDATE that passed MESSAGE-INTEGRITY (RFC 8445
    /// §7.3.1.5), whether or not our own check of the pair has succeeded yet (until it has, the pair is not selected).
    /// Its local candidate is where the peer will send media. Raised per nominating check, on the agent's thread.
    /// </summary>
    public event Action<IceCandidatePair>? NominationReceived;

    /// <summary>No pair worked, or consent was lost (RFC 7675 §5.1); the reason says which. The call should end.</summary>
    public event Action<string>? Failed;

    /// <summary>
    /// Adds a host candidate (RFC 8445 §5.1.1.1): the media socket's own address. Several are given the local preferences
    /// 65535, 65534, ... in the order added.
    /// </summary>
    public IceLocalCandidate AddHostCandidate(IPEndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        EnsureGathering();
        int preference = 65535 - CountOf(IceCandidateType.Host);
        return AddLocal(IceCandidateType.Host, address, address, preference, null, null);
    }

    /// <summary>
    /// Adds a server-reflexive candidate (§5.1.1.2) learned for <paramref name="baseAddress"/> from <paramref name="server"/>;
    /// null when it is redundant (§5.1.3: the same address as its base, i.e. no NAT).
    /// </summary>
    public IceLocalCandidate? AddServerReflexiveCandidate(IPEndPoint mapped, IPEndPoint baseAddress, IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(server);
        EnsureGathering();
        if (FindLocal(mapped) is not null)
        {
            return null;
        }

        IceLocalCandidate? host = FindLocal(baseAddress);
        int preference = host is null ? 65535 : LocalPreference(host.Candidate.Priority);
        return AddLocal(IceCandidateType.ServerReflexive, mapped, baseAddress, preference, server.Address, null);
    }

    /// <summary>Adds a relayed candidate (§5.1.1.2): checks and media from it go through <paramref name="relay"/>.</summary>
    public IceLocalCandidate AddRelayedCandidate(IIceRelay relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        EnsureGathering();
        int preference = 65535 - CountOf(IceCandidateType.Relayed);
        return AddLocal(IceCandidateType.Relayed, relay.RelayedAddress, relay.RelayedAddress, preference, relay.ServerAddress.Address, relay);
    }

    /// <summary>
    /// Gathers the server-reflexive candidate of <paramref name="baseAddress"/> (the media socket) from
    /// <paramref name="servers"/> in order (RFC 8445 §5.1.1.2: a Binding request from the socket itself). The socket's
    /// receive loop must hand STUN datagrams to <see cref="OnStunPacket"/> meanwhile. Never throws for network trouble.
    /// </summary>
    public async Task<StunBindingResult> GatherServerReflexiveAsync(IPEndPoint baseAddress, IReadOnlyList<IPEndPoint> servers, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(servers);
        EnsureGathering();
        var client = new StunBindingClient(_socket, _time);
        _binding = client;
        StunBindingResult result;
        try
        {
            result = await client.QueryAsync(servers, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _binding = null;
        }

        if (result.MappedAddress is { } mapped)
        {
            AddServerReflexiveCandidate(mapped, baseAddress, result.Server!);
        }

        return result;
    }

    /// <summary>
    /// Ends gathering: from now on the agent answers checks (ours are in the SDP), and the work queue owns its state.
    /// </summary>
    public void Start()
    {
        if (_locals.Count == 0)
        {
            throw new InvalidOperationException("an ICE agent needs at least one candidate");
        }

        _started = true;
    }

    /// <summary>
    /// The peer's ICE parameters from its SDP (RFC 8839 §5): forms the check list and starts the checks. A lite peer
    /// makes us the controlling agent (RFC 8445 §6.1.1). Checks the peer sent before its SDP arrived are replayed as
    /// triggered checks.
    /// </summary>
    public void SetRemote(IceMediaParameters remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (!_started)
        {
            throw new InvalidOperationException("Start the agent first");
        }

        _work.Post(() => ApplyRemote(remote));
    }

    /// <summary>
    /// A STUN datagram that arrived on the media socket from <paramref name="source"/> (RFC 7983). Called from the
    /// socket's receive thread; the work is done on the agent's queue (the datagram is copied). True when it was for ICE.
    /// </summary>
    public bool OnStunPacket(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_binding is { } binding && binding.OnStunPacket(datagram, source))
        {
            return true;
        }

        if (!_started || !StunMessage.IsStun(datagram) || _state is IceAgentState.Closed)
        {
            return false;
        }

        byte[] copy = datagram.ToArray();
        if (source.Address.IsIPv4MappedToIPv6)
        {
            // A dual-stack socket reports IPv4 peers in their mapped form; the candidates hold them as IPv4.
            source = new IPEndPoint(source.Address.MapToIPv4(), source.Port);
        }

        _work.Post(() => Receive(copy, source, relay: null));
        return true;
    }

    /// <summary>
    /// A datagram <paramref name="relay"/> received from <paramref name="peer"/>. STUN (a check or a response on the
    /// relayed candidate) is the agent's and true is returned; anything else is media for the RTP path, with
    /// <paramref name="peer"/> as its source.
    /// </summary>
    public bool OnRelayedPacket(IIceRelay relay, ReadOnlySpan<byte> datagram, IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(peer);
        if (!_started || datagram.IsEmpty || datagram[0] > 3 || !StunMessage.IsStun(datagram) || _state is IceAgentState.Closed)
        {
            return false;
        }

        byte[] copy = datagram.ToArray();
        _work.Post(() => Receive(copy, peer, relay));
        return true;
    }

    /// <summary>
    /// Whether a check from <paramref name="relay"/>'s candidate (null: the socket's) to <paramref name="remote"/> succeeded,
    /// i.e. a valid pair joins them (§7.2.5.3.2): the peer proved it knows our password there. RFC 8445 §12.1 lets a peer
    /// send on any valid pair, and some do after the selection too (re, baresip's stack, sends through its own TURN
    /// channel whenever it has one to our address). Any thread; allocation-free.
    /// </summary>
    public bool IsValidRemote(IIceRelay? relay, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        foreach (IceCandidatePair pair in _validPairs)
        {
            if (ReferenceEquals(pair.Local.Relay, relay) && pair.RemoteEndPoint.Equals(remote))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops checks, consent and the timer; the selected pair stays readable for the call's record.</summary>
    public void Dispose()
    {
        _state = IceAgentState.Closed;
        _timer.Dispose();
        _work.Post(() =>
        {
            _transactions.Clear();
            _triggered.Clear();
        });
    }

    // ---- gathering (owner's thread, before Start) ----

    private void EnsureGathering()
    {
        if (_started)
        {
            throw new InvalidOperationException("candidates are gathered before the agent starts");
        }
    }

    private int CountOf(IceCandidateType type)
    {
        int count = 0;
        foreach (IceLocalCandidate local in _locals)
        {
            count += local.Candidate.Type == type ? 1 : 0;
        }

        return count;
    }

    private IceLocalCandidate AddLocal(IceCandidateType type, IPEndPoint address, IPEndPoint baseAddress, int preference,
        IPAddress? server, IIceRelay? relay)
    {
        var candidate = new IceCandidate
        {
            Foundation = Foundation(type, baseAddress.Address, server),
            ComponentId = ComponentId,
            Transport = "UDP",
            Priority = IcePriority.OfCandidate(type, Math.Max(preference, 0), ComponentId),
            ConnectionAddress = address.Address.ToString(),
            Address = address.Address,
            Port = address.Port,
            Type = type,
            // RFC 8839 §5.1: raddr/rport is the base of a reflexive candidate; for a relayed one (whose mapped address
            // the relay does not tell) 0.0.0.0 0, as browsers write when they hide it.
            RelatedAddress = type switch
            {
                IceCandidateType.Host => null,
                IceCandidateType.Relayed => "0.0.0.0",
                _ => baseAddress.Address.ToString(),
            },
            RelatedPort = type switch
            {
                IceCandidateType.Host => null,
                IceCandidateType.Relayed => 0,
                _ => baseAddress.Port,
            },
        };
        var local = new IceLocalCandidate(candidate, baseAddress) { Relay = relay };
        _locals.Add(local);
        return local;
    }

    /// <summary>
    /// RFC 8445 §5.1.1.3: candidates of the same type, from the same base address and through the same server share a
    /// foundation, so that one check of theirs unfreezes the rest. A short hash of those three, in ice-chars.
    /// </summary>
    internal static string Foundation(IceCandidateType type, IPAddress baseAddress, IPAddress? server)
    {
        uint hash = 2166136261;
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> kind = [(byte)type];
        Mix(ref hash, kind);
        Mix(ref hash, bytes[..(baseAddress.TryWriteBytes(bytes, out int written) ? written : 0)]);
        if (server is not null)
        {
            Mix(ref hash, bytes[..(server.TryWriteBytes(bytes, out written) ? written : 0)]);
        }

        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

        static void Mix(ref uint h, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data)
            {
                h = (h ^ b) * 16777619;
            }
        }
    }

    private IceLocalCandidate? FindLocal(IPEndPoint address)
    {
        foreach (IceLocalCandidate local in _locals)
        {
            if (local.Candidate.Port == address.Port && address.Address.Equals(local.Candidate.Address))
            {
                return local;
            }
        }

        return null;
    }

    // ---- everything below runs on the work queue ----

    private void ApplyRemote(IceMediaParameters remote)
    {
        if (_state is IceAgentState.Closed or IceAgentState.Failed)
        {
            return;
        }

        bool first = _remote is null;
        _remote = remote;
        _remoteKey = StunCredentials.ShortTermKey(remote.Credentials.Password);
        if (!first)
        {
            // A re-offer with the same credentials (no ICE restart, RFC 8445 §9): nothing to start again.
            return;
        }

        if (remote.Lite && _role == IceRole.Controlled)
        {
            // RFC 8445 §6.1.1: a full agent facing a lite one is always the controlling agent.
            _role = IceRole.Controlling;
        }

        foreach (IceCandidate candidate in remote.Candidates)
        {
            if (_remotes.Count < _options.MaxRemoteCandidates && candidate.ComponentId == ComponentId)
            {
                _remotes.Add(candidate);
            }
        }

        var pairable = new List<IceLocalCandidate>(_locals.Count);
        foreach (IceLocalCandidate local in _locals)
        {
            if (local.Candidate.Type != IceCandidateType.PeerReflexive)
            {
                pairable.Add(local);
            }
        }

        _checkList = IceCheckList.Form(pairable, _remotes, _role == IceRole.Controlling, _options.MaxPairs);
        _checksStartedAt = _time.GetTimestamp();
        _state = IceAgentState.Checking;
        foreach (EarlyCheck early in _early)
        {
            OnAuthenticCheck(early.Source, early.ReceivedOn, early.Priority, early.UseCandidate);
        }

        _early.Clear();
        SetTimer(_options.Pacing);
        Tick();
    }

    private void Receive(byte[] datagram, IPEndPoint source, IIceRelay? relay)
    {
        if (_state is IceAgentState.Closed || !StunMessage.TryParse(datagram, out StunMessage message, out _)
            || message.Method != StunMethod.Binding)
        {
            return;
        }

        IceLocalCandidate? receivedOn = ReceivingCandidate(relay);
        if (receivedOn is null)
        {
            return;
        }

        if (message.Class == StunMessageClass.Request)
        {
            HandleRequest(datagram, source, receivedOn);
        }
        else if (message.Class is StunMessageClass.SuccessResponse or StunMessageClass.ErrorResponse)
        {
            HandleResponse(message, source, receivedOn);
        }
    }

    /// <summary>The candidate whose base a datagram arrived on: the relay's, or the socket's (first) host candidate.</summary>
    private IceLocalCandidate? ReceivingCandidate(IIceRelay? relay)
    {
        foreach (IceLocalCandidate local in _locals)
        {
            if (relay is null ? local.Candidate.Type == IceCandidateType.Host : ReferenceEquals(local.Relay, relay))
            {
                return local;
            }
        }

        return null;
    }

    /// <summary>RFC 8445 §7.3: answers a peer's check; learns from it (§7.3.1.3–§7.3.1.5).</summary>
    private void HandleRequest(byte[] datagram, IPEndPoint source, IceLocalCandidate receivedOn)
    {
        IceCheckOutcome outcome = IceCheckRequest.Read(datagram, Credentials.Ufrag, _remote?.Credentials.Ufrag, _localKey,
            out IceCheckRequest check, _response, out int length);
        if (outcome != IceCheckOutcome.Answered)
        {
            Interlocked.Increment(ref _checksRefused);
            Send(receivedOn, source, _response.AsSpan(0, length));
            return;
        }

        // RFC 8445 §7.3.1.1: both claim the same role; the larger tie-breaker controls.
        if (_role == IceRole.Controlling && check.ControllingTieBreaker is { } theirs)
        {
            if (TieBreaker >= theirs)
            {
                Interlocked.Increment(ref _checksRefused);
                Send(receivedOn, source, _response.AsSpan(0, check.WriteError(487, "Role Conflict", _localKey, _response)));
                return;
            }

            SwitchRole(IceRole.Controlled);
        }
        else if (_role == IceRole.Controlled && check.ControlledTieBreaker is { } theirsToo)
        {
            if (TieBreaker < theirsToo)
            {
                Interlocked.Increment(ref _checksRefused);
                Send(receivedOn, source, _response.AsSpan(0, check.WriteError(487, "Role Conflict", _localKey, _response)));
                return;
            }

            SwitchRole(IceRole.Controlling);
        }

        Interlocked.Increment(ref _checksAnswered);

        // Recorded before the answer leaves: the peer can name this pair (in a re-offer's c=/m=) only once it has it.
        _answered.Record(source, receivedOn);
        Send(receivedOn, source, _response.AsSpan(0, check.WriteSuccess(source, _localKey, _response)));
        if (_remote is null)
        {
            // The check came before the peer's SDP (RFC 8445 §7.3.1.4 allows answering it): replayed once it arrives.
            if (_early.Count < MaxEarlyChecks)
            {
                _early.Add(new EarlyCheck(source, receivedOn, check.Priority, check.UseCandidate));
            }

            return;
        }

        OnAuthenticCheck(source, receivedOn, check.Priority, check.UseCandidate);
    }

    private void OnAuthenticCheck(IPEndPoint source, IceLocalCandidate receivedOn, uint priority, bool useCandidate)
    {
        if (_checkList is null || _state is IceAgentState.Failed or IceAgentState.Closed)
        {
            return;
        }

        // §7.3.1.3: a source that is none of the peer's candidates is a peer-reflexive candidate of it.
        IceCandidate? remote = FindRemote(source);
        if (remote is null)
        {
            if (_remotes.Count >= _options.MaxRemoteCandidates)
            {
                return;
            }

            remote = new IceCandidate
            {
                Foundation = "prflx" + (++_prflxCount).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ComponentId = ComponentId,
                Transport = "UDP",
                Priority = priority,
                ConnectionAddress = source.Address.ToString(),
                Address = source.Address,
                Port = source.Port,
                Type = IceCandidateType.PeerReflexive,
            };
            _remotes.Add(remote);
        }

        // After the bound above: the sources told are the peer's candidates, as many as the table holds.
        CheckAuthenticated?.Invoke(source, receivedOn);

        // §7.3.1.4: the pair this check came in on, found or made (local: the candidate whose base received it).
        IceCandidatePair? pair = _checkList.Find(receivedOn.Base, source);
        if (pair is null)
        {
            ulong pairPriority = IceCheckList.PairPriority(receivedOn.Candidate.Priority, remote.Priority, _role == IceRole.Controlling);
            pair = new IceCandidatePair(receivedOn, remote, source, pairPriority) { State = IceCandidatePairState.Waiting };
            if (!_checkList.Add(pair, _options.MaxPairs))
            {
                return;
            }
        }

        // §7.3.1.5: the controlling peer nominates this pair.
        if (useCandidate && _role == IceRole.Controlled)
        {
            NominationReceived?.Invoke(pair);
            IceCandidatePair? valid = pair.State == IceCandidatePairState.Succeeded ? ValidPairOf(pair) : null;
            if (valid is not null)
            {
                Nominated(valid);
            }
            else
            {
                pair.NominateOnSuccess = true;
            }
        }

        if (pair.State is IceCandidatePairState.Succeeded or IceCandidatePairState.InProgress
            || (_role == IceRole.Controlling && _selected is not null))
        {
            return;
        }

        pair.State = IceCandidatePairState.Waiting;
        Trigger(pair);
    }

    private void Trigger(IceCandidatePair pair)
    {
        if (!pair.Triggered)
        {
            pair.Triggered = true;
            _triggered.Enqueue(pair);
        }

        if (_state == IceAgentState.Connected)
        {
            SetTimer(_options.Pacing);
        }
    }

    /// <summary>RFC 8445 §7.2.5: the answer to one of our checks.</summary>
    private void HandleResponse(StunMessage message, IPEndPoint source, IceLocalCandidate receivedOn)
    {
        if (_remoteKey is null || !_transactions.TryGetValue(message.TransactionId, out IceCheckTransaction? transaction))
        {
            return;
        }

        // RFC 8489 §6.3.4, §9.1.4: a response without the peer's integrity is not its answer; keep waiting for one.
        if ((message.HasFingerprint && !message.VerifyFingerprint()) || !message.HasMessageIntegrity || !message.VerifyMessageIntegrity(_remoteKey))
        {
            return;
        }

        _transactions.Remove(message.TransactionId);
        IceCandidatePair pair = transaction.Pair;
        bool symmetric = source.Equals(pair.RemoteEndPoint) && pair.Local.Base.Equals(receivedOn.Base);
        long now = _time.GetTimestamp();
        if (transaction.Consent)
        {
            // RFC 7675 §5.1: only an authenticated success from where we send refreshes consent.
            if (symmetric && message.Class == StunMessageClass.SuccessResponse)
            {
                _lastConsent = now;
            }

            return;
        }

        if (message.Class == StunMessageClass.ErrorResponse)
        {
            if (message.TryGetErrorCode(out int code, out _) && code == 487)
            {
                // §7.2.5.1: the peer holds our role with a larger tie-breaker; take the other one and check again.
                SwitchRole(_role == IceRole.Controlling ? IceRole.Controlled : IceRole.Controlling);
                pair.State = IceCandidatePairState.Waiting;
                Trigger(pair);
            }
            else
            {
                FailCheck(transaction);
            }

            return;
        }

        // §7.2.5.2.1: the response must come from where the check went, to where it left from.
        if (!symmetric || !message.TryGetXorMappedAddress(out IPEndPoint? mapped))
        {
            FailCheck(transaction);
            return;
        }

        // §7.2.5.3.1: a mapped address that is none of ours is a peer-reflexive candidate of ours, on the same base.
        IceLocalCandidate local = FindLocal(mapped!) ?? AddPeerReflexive(mapped!, pair.Local, transaction.Priority);
        pair.State = IceCandidatePairState.Succeeded;
        UnfreezeFoundation(pair.Foundation);

        IceCandidatePair? valid = ValidPairOf(pair);
        if (valid is null)
        {
            // §7.2.5.3.2: the valid pair: the candidate the peer saw us as, the remote candidate the check went to.
            ulong priority = IceCheckList.PairPriority(local.Candidate.Priority, pair.Remote.Priority, _role == IceRole.Controlling);
            valid = new IceCandidatePair(local, pair.Remote, pair.RemoteEndPoint, priority)
            {
                State = IceCandidatePairState.Succeeded,
                Generating = pair,
            };
            _valid.Add(valid);
            _validPairs = [.. _valid];
            if (_firstValidAt < 0)
            {
                _firstValidAt = now;
            }

            PairValidated?.Invoke(valid);
        }

        if (transaction.Nominating)
        {
            _nomination = null;
            Nominated(valid);
        }
        else if (_role == IceRole.Controlled && pair.NominateOnSuccess)
        {
            Nominated(valid);
        }
    }

    private IceLocalCandidate AddPeerReflexive(IPEndPoint mapped, IceLocalCandidate from, uint priority)
    {
        var candidate = new IceCandidate
        {
            Foundation = Foundation(IceCandidateType.PeerReflexive, from.Base.Address, null),
            ComponentId = ComponentId,
            Transport = "UDP",
            Priority = priority,
            ConnectionAddress = mapped.Address.ToString(),
            Address = mapped.Address,
            Port = mapped.Port,
            Type = IceCandidateType.PeerReflexive,
            RelatedAddress = from.Base.Address.ToString(),
            RelatedPort = from.Base.Port,
        };
        var local = new IceLocalCandidate(candidate, from.Base) { Relay = from.Relay };
        _locals.Add(local);
        return local;
    }

    private void FailCheck(IceCheckTransaction transaction)
    {
        IceCandidatePair pair = transaction.Pair;
        if (transaction.Nominating)
        {
            _nomination = null;
            IceCandidatePair? valid = ValidPairOf(pair);
            if (valid is not null)
            {
                valid.NominationFailed = true;
            }
        }

        if (pair.State != IceCandidatePairState.Succeeded || transaction.Nominating)
        {
            pair.State = IceCandidatePairState.Failed;
        }
    }

    private IceCandidatePair? ValidPairOf(IceCandidatePair generating)
    {
        foreach (IceCandidatePair valid in _valid)
        {
            if (ReferenceEquals(valid.Generating, generating))
            {
                return valid;
            }
        }

        return null;
    }

    /// <summary>RFC 8445 §8.1.2 / §8.2: a nominated valid pair; the highest-priority nominated one carries media.</summary>
    private void Nominated(IceCandidatePair valid)
    {
        valid.Nominated = true;
        IceCandidatePair? current = _selected;
        if (_state is IceAgentState.Failed or IceAgentState.Closed || (current is not null && current.Priority >= valid.Priority))
        {
            return;
        }

        _selected = valid;
        long now = _time.GetTimestamp();
        if (current is null)
        {
            _lastConsent = now;
            _nextConsentAt = now + ConsentDelayTicks();
        }

        _state = IceAgentState.Connected;
        if (_role == IceRole.Controlling)
        {
            // §8.1.2: the controlling agent's checks end with the nomination; pairs not yet checked never will be.
            _triggered.Clear();
        }

        SetTimer(_triggered.Count > 0 ? _options.Pacing : ConsentTick);
        SelectedPairChanged?.Invoke(valid);
    }

    private void SwitchRole(IceRole role)
    {
        if (_role == role)
        {
            return;
        }

        _role = role;
        Interlocked.Increment(ref _roleSwitches);
        _checkList?.Reprioritise(role == IceRole.Controlling);
        foreach (IceCandidatePair valid in _valid)
        {
            valid.Priority = IceCheckList.PairPriority(valid.Local.Candidate.Priority, valid.Remote.Priority, role == IceRole.Controlling);
        }
    }

    private void UnfreezeFoundation(string foundation)
    {
        foreach (IceCandidatePair pair in Pairs)
        {
            if (pair.State == IceCandidatePairState.Frozen && pair.Foundation == foundation)
            {
                pair.State = IceCandidatePairState.Waiting;
            }
        }
    }

    private IceCandidate? FindRemote(IPEndPoint source)
    {
        foreach (IceCandidate remote in _remotes)
        {
            if (remote.Port == source.Port && source.Address.Equals(remote.Address))
            {
                return remote;
            }
        }

        return null;
    }

    // ---- the timer: retransmissions, pacing (Ta), nomination, consent ----

    private void OnTimer()
    {
        if (_state is IceAgentState.Closed or IceAgentState.Failed)
        {
            return;
        }

        _work.Post(Tick);
    }

    private void Tick()
    {
        if (_state is IceAgentState.Closed or IceAgentState.Failed || _checkList is null)
        {
            return;
        }

        long now = _time.GetTimestamp();
        Retransmit(now);
        if (_state == IceAgentState.Checking)
        {
            if (_time.GetElapsedTime(_checksStartedAt, now) >= _options.CheckTimeout)
            {
                Fail($"no candidate pair worked within {_options.CheckTimeout.TotalSeconds:0} s");
                return;
            }

            if (_role == IceRole.Controlling && _nomination is null)
            {
                Nominate(now);
            }

            if (!SendNextCheck() && _transactions.Count == 0 && _valid.Count == 0 && AllFailed())
            {
                Fail("every candidate pair failed");
            }

            return;
        }

        // Connected: triggered checks the controlled side still owes, and consent (RFC 7675 §5.1).
        bool more = SendNextCheck();
        if (_time.GetElapsedTime(_lastConsent, now) >= _options.ConsentTimeout)
        {
            Fail($"consent lost: no answer from {_selected?.RemoteEndPoint} for {_options.ConsentTimeout.TotalSeconds:0} s (RFC 7675)");
            return;
        }

        if (now >= _nextConsentAt && _selected is { } selected)
        {
            _nextConsentAt = now + ConsentDelayTicks();
            SendCheck(selected.Generating ?? selected, nominating: false, consent: true);
        }

        SetTimer(more || HasRetransmissions() ? _options.Pacing : ConsentTick);
    }

    private void Retransmit(long now)
    {
        _scratch.Clear();
        foreach (IceCheckTransaction transaction in _transactions.Values)
        {
            if (now < transaction.DueAt)
            {
                continue;
            }

            if (transaction.Consent || transaction.Sent >= _options.CheckRequestCount)
            {
                // The last request's wait is over (a consent check waits one consent timeout, never resent).
                _scratch.Add(transaction.Pair);
                continue;
            }

            transaction.Sent++;
            transaction.Rto = Min(transaction.Rto * 2, _options.MaxCheckRto);
            transaction.DueAt = now + Ticks(transaction.Rto);
            Interlocked.Increment(ref _checksSent);
            Send(transaction.Pair.Local, transaction.Pair.RemoteEndPoint, transaction.Request.AsSpan(0, transaction.Length));
        }

        if (_scratch.Count == 0)
        {
            return;
        }

        // Rare (a timeout): collect the expired ones apart so the dictionary is not changed while it is walked.
        var expired = new List<StunTransactionId>();
        foreach (KeyValuePair<StunTransactionId, IceCheckTransaction> entry in _transactions)
        {
            if (now >= entry.Value.DueAt && (entry.Value.Consent || entry.Value.Sent >= _options.CheckRequestCount))
            {
                expired.Add(entry.Key);
            }
        }

        foreach (StunTransactionId id in expired)
        {
            if (_transactions.Remove(id, out IceCheckTransaction? transaction) && !transaction.Consent)
            {
                FailCheck(transaction);
            }
        }
    }

    /// <summary>
    /// RFC 8445 §8.1.1 (regular nomination): once a pair is valid, the best valid pair is nominated with a check carrying
    /// USE-CANDIDATE as soon as no better pair is still being checked, or <see cref="IceAgentOptions.NominationWait"/>
    /// after the first success.
    /// </summary>
    private void Nominate(long now)
    {
        IceCandidatePair? best = null;
        foreach (IceCandidatePair valid in _valid)
        {
            if (!valid.NominationFailed && (best is null || valid.Priority > best.Priority))
            {
                best = valid;
            }
        }

        if (best is null)
        {
            return;
        }

        bool betterPending = false;
        ulong bar = best.Generating?.Priority ?? best.Priority;
        foreach (IceCandidatePair pair in Pairs)
        {
            if (pair.Priority > bar && pair.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting or IceCandidatePairState.InProgress)
            {
                betterPending = true;
                break;
            }
        }

        if (betterPending && _time.GetElapsedTime(_firstValidAt, now) < _options.NominationWait)
        {
            return;
        }

        _nomination = SendCheck(best.Generating ?? best, nominating: true, consent: false);
    }

    /// <summary>§6.1.4.2: one check per Ta: a triggered one first, else the best waiting pair, else unfreeze one.</summary>
    private bool SendNextCheck()
    {
        while (_triggered.TryDequeue(out IceCandidatePair? triggered))
        {
            triggered.Triggered = false;
            if (triggered.State == IceCandidatePairState.Waiting)
            {
                SendCheck(triggered, nominating: false, consent: false);
                return true;
            }
        }

        if (_state != IceAgentState.Checking)
        {
            return false;
        }

        IceCandidatePair? next = _checkList!.First(IceCandidatePairState.Waiting);
        if (next is null)
        {
            next = UnfreezeOne();
        }

        if (next is null)
        {
            return false;
        }

        SendCheck(next, nominating: false, consent: false);
        return true;
    }

    /// <summary>§6.1.4.2 step 2: the best frozen pair whose foundation has nothing waiting or in progress.</summary>
    private IceCandidatePair? UnfreezeOne()
    {
        foreach (IceCandidatePair pair in Pairs)
        {
            if (pair.State != IceCandidatePairState.Frozen)
            {
                continue;
            }

            bool busy = false;
            foreach (IceCandidatePair other in Pairs)
            {
                if (other.Foundation == pair.Foundation && other.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress)
                {
                    busy = true;
                    break;
                }
            }

            if (!busy)
            {
                pair.State = IceCandidatePairState.Waiting;
                return pair;
            }
        }

        return null;
    }

    private bool AllFailed()
    {
        foreach (IceCandidatePair pair in Pairs)
        {
            if (pair.State != IceCandidatePairState.Failed)
            {
                return false;
            }
        }

        return _triggered.Count == 0;
    }

    private bool HasRetransmissions()
    {
        foreach (IceCheckTransaction transaction in _transactions.Values)
        {
            if (!transaction.Consent)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 8445 §7.2.4 / §7.1: one Binding request on <paramref name="pair"/>, from its base to its remote address.</summary>
    private IceCheckTransaction? SendCheck(IceCandidatePair pair, bool nominating, bool consent)
    {
        if (_remote is null || _remoteKey is null)
        {
            return null;
        }

        // §7.1.1: PRIORITY is what a peer-reflexive candidate of this base would get.
        uint priority = IcePriority.OfCandidate(IceCandidateType.PeerReflexive, LocalPreference(pair.Local.Candidate.Priority), ComponentId);
        var id = StunTransactionId.New();
        var request = new byte[BufferSize];
        var writer = new StunMessageWriter(request, StunMethod.Binding, StunMessageClass.Request, id);
        writer.AddUsername(_remote.Credentials.Ufrag + ":" + Credentials.Ufrag);
        writer.AddPriority(priority);
        if (_role == IceRole.Controlling)
        {
            writer.AddIceControlling(TieBreaker);
            if (nominating)
            {
                writer.AddUseCandidate();
            }
        }
        else
        {
            writer.AddIceControlled(TieBreaker);
        }

        writer.AddMessageIntegrity(_remoteKey);
        writer.AddFingerprint();
        int length = writer.Complete();
        if (length == 0)
        {
            return null;
        }

        long now = _time.GetTimestamp();
        var transaction = new IceCheckTransaction(id, pair, request, length, priority, nominating && _role == IceRole.Controlling, consent)
        {
            Sent = 1,
            Rto = _options.CheckRto,
            DueAt = now + Ticks(consent ? _options.ConsentTimeout : _options.CheckRto),
        };
        _transactions[id] = transaction;
        if (!consent && pair.State != IceCandidatePairState.Succeeded)
        {
            pair.State = IceCandidatePairState.InProgress;
        }

        Interlocked.Increment(ref _checksSent);
        Send(pair.Local, pair.RemoteEndPoint, request.AsSpan(0, length));
        return transaction;
    }

    private void Send(IceLocalCandidate from, IPEndPoint to, ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return;
        }

        if (from.Relay is { } relay)
        {
            relay.Send(to, datagram);
        }
        else
        {
            _socket.SendStun(datagram, to);
        }
    }

    private void Fail(string reason)
    {
        if (_state is IceAgentState.Failed or IceAgentState.Closed)
        {
            return;
        }

        FailureReason = reason;
        _state = IceAgentState.Failed;

        // RFC 7675 §5.1: without consent nothing more is sent to the peer, media included.
        _selected = null;
        _transactions.Clear();
        _triggered.Clear();
        SetTimer(Timeout.InfiniteTimeSpan);
        Failed?.Invoke(reason);
    }

    private void SetTimer(TimeSpan period)
    {
        if (period == _period || _state is IceAgentState.Closed)
        {
            return;
        }

        _period = period;
        try
        {
            _timer.Change(period, period);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: nothing more to time.
        }
    }

    /// <summary>RFC 7675 §5.1: the next consent check 0.8–1.2 × the interval away, so peers do not synchronise.</summary>
    private long ConsentDelayTicks()
    {
        double factor = 0.8 + (RandomNumberGenerator.GetInt32(401) / 1000.0);
        return Ticks(_options.ConsentInterval * factor);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static int LocalPreference(uint priority) => (int)((priority >> 8) & 0xFFFF);

    private static ulong RandomTieBreaker()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) | 1;
    }

    private readonly record struct EarlyCheck(IPEndPoint Source, IceLocalCandidate ReceivedOn, uint Priority, bool UseCandidate);
}
