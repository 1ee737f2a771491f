using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Nat;

namespace Intercom.Media.Tests.Ice;

public sealed class IceAgentTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Two_agents_on_one_lan_select_the_host_pair_and_agree_on_it()
    {
        var net = new IceTestNetwork();
        Peer offerer = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlling);
        Peer answerer = Peer.Create(net, "192.168.1.20:20000", IceRole.Controlled);

        Connect(offerer, answerer);
        TimeSpan took = net.RunUntil(() => Both(offerer, answerer, IceAgentState.Connected), Bound);

        Assert.Equal(IceAgentState.Connected, offerer.Agent.State);
        Assert.Equal(IceAgentState.Connected, answerer.Agent.State);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        IceCandidatePair ours = offerer.Agent.SelectedPair!;
        IceCandidatePair theirs = answerer.Agent.SelectedPair!;
        Assert.Equal(answerer.Socket.Local, ours.RemoteEndPoint);
        Assert.Equal(offerer.Socket.Local, theirs.RemoteEndPoint);
        Assert.Equal(IceCandidateType.Host, ours.Local.Candidate.Type);
        Assert.Equal(IceCandidateType.Host, ours.Remote.Type);
        Assert.True(ours.Nominated);
        Assert.True(theirs.Nominated);

        // RFC 8445 §6.1.2.3: both sides compute the same pair priority.
        Assert.Equal(ours.Priority, theirs.Priority);
    }

    [Fact]
    public async Task Behind_two_home_routers_the_server_reflexive_pair_is_selected_and_host_pairs_fail()
    {
        var net = new IceTestNetwork();
        IceTestNetwork.Router routerA = net.AddRouter(IPAddress.Parse("198.51.100.1"), "192.168.1.");
        IceTestNetwork.Router routerB = net.AddRouter(IPAddress.Parse("198.51.100.2"), "192.168.2.");
        Peer station = await Peer.CreateWithStunAsync(net, "192.168.1.10:10000", IceRole.Controlling);
        Peer phone = await Peer.CreateWithStunAsync(net, "192.168.2.20:20000", IceRole.Controlled);

        Assert.Contains(station.Agent.LocalCandidates, c => c.Type == IceCandidateType.ServerReflexive && c.ConnectionAddress == "198.51.100.1");
        Connect(station, phone);
        net.RunUntil(() => Both(station, phone, IceAgentState.Connected), Bound);

        IceCandidatePair selected = station.Agent.SelectedPair ?? throw new Xunit.Sdk.XunitException($"not connected: {station.Agent.State}");
        Assert.Equal(IceCandidateType.ServerReflexive, selected.Local.Candidate.Type);
        Assert.Equal(IceCandidateType.ServerReflexive, selected.Remote.Type);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), selected.RemoteEndPoint.Address);
        Assert.Equal(station.Socket.Local, selected.Local.Base); // media leaves from the socket itself
        IceCandidatePair phoneSide = phone.Agent.SelectedPair!;
        Assert.Equal(IPAddress.Parse("198.51.100.1"), phoneSide.RemoteEndPoint.Address);

        // The router in front of the phone dropped the station's first checks (nothing had gone out to it yet).
        Assert.True(routerB.Dropped + routerA.Dropped > 0);
        Assert.Contains(station.Agent.Pairs, p => p.RemoteEndPoint.Address.Equals(IPAddress.Parse("192.168.2.20")));
    }

    [Fact]
    public void Without_stun_behind_a_router_the_agent_learns_peer_reflexive_candidates_from_the_checks()
    {
        var net = new IceTestNetwork();
        net.AddRouter(IPAddress.Parse("198.51.100.1"), "192.168.1.");
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlled);
        Peer phone = Peer.Create(net, "198.51.100.20:20000", IceRole.Controlling);

        Connect(phone, station);
        net.RunUntil(() => Both(station, phone, IceAgentState.Connected), Bound);

        // The phone saw the station's checks from the router's mapping (§7.3.1.3), the station its own mapping (§7.2.5.3.1).
        IceCandidatePair phoneSide = phone.Agent.SelectedPair!;
        Assert.Equal(IceCandidateType.PeerReflexive, phoneSide.Remote.Type);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), phoneSide.RemoteEndPoint.Address);
        IceCandidatePair stationSide = station.Agent.SelectedPair!;
        Assert.Equal(IceCandidateType.PeerReflexive, stationSide.Local.Candidate.Type);
        Assert.Equal(phoneSide.RemoteEndPoint.Port, stationSide.Local.Candidate.Port);
        Assert.Equal(phone.Socket.Local, stationSide.RemoteEndPoint);
    }

    [Theory]
    [InlineData(IceRole.Controlling)]
    [InlineData(IceRole.Controlled)]
    public void A_role_conflict_is_resolved_by_the_tie_breaker_and_the_call_connects(IceRole both)
    {
        var net = new IceTestNetwork();
        Peer low = Peer.Create(net, "192.168.1.10:10000", both, tieBreaker: 1000);
        Peer high = Peer.Create(net, "192.168.1.20:20000", both, tieBreaker: 2000);

        Connect(low, high);
        net.RunUntil(() => Both(low, high, IceAgentState.Connected), Bound);

        // RFC 8445 §7.3.1.1: the larger tie-breaker controls.
        Assert.Equal(IceRole.Controlling, high.Agent.Role);
        Assert.Equal(IceRole.Controlled, low.Agent.Role);
        Assert.True(low.Agent.RoleSwitches + high.Agent.RoleSwitches >= 1);
        Assert.Equal(IceAgentState.Connected, low.Agent.State);
        Assert.Equal(IceAgentState.Connected, high.Agent.State);
        Assert.Equal(high.Socket.Local, low.Agent.SelectedPair!.RemoteEndPoint);
        Assert.Equal(low.Socket.Local, high.Agent.SelectedPair!.RemoteEndPoint);
    }

    [Fact]
    public void A_487_answer_switches_the_role_and_the_check_is_sent_again()
    {
        // A peer that answers every check from a controlling agent with 487 (authentic: it has the integrity).
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlling);
        var peerCredentials = IceCredentials.Generate();
        byte[] peerKey = StunCredentials.ShortTermKey(peerCredentials.Password);
        IPEndPoint peerAddress = IPEndPoint.Parse("192.168.1.20:20000");
        int conflicts = 0;
        int controlledChecks = 0;
        net.Attach(peerAddress, (data, source) =>
        {
            var response = new byte[256];
            Assert.Equal(IceCheckOutcome.Answered, IceCheckRequest.Read(data, peerCredentials.Ufrag, station.Agent.Credentials.Ufrag, peerKey,
                out IceCheckRequest check, response, out _));
            int length;
            if (check.ControllingTieBreaker is not null)
            {
                conflicts++;
                length = check.WriteError(487, "Role Conflict", peerKey, response);
            }
            else
            {
                controlledChecks++;
                length = check.WriteSuccess(source, peerKey, response);
            }

            net.Send(peerAddress, source, response.AsSpan(0, length));
        });

        station.Agent.Start();
        station.Agent.SetRemote(new IceMediaParameters
        {
            Credentials = peerCredentials,
            Candidates = [Host(peerAddress, 2_000_000_000)],
            RtcpMux = true,
        });
        net.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(1, conflicts);
        Assert.True(controlledChecks >= 1);
        Assert.Equal(IceRole.Controlled, station.Agent.Role);
        Assert.Equal(1, station.Agent.RoleSwitches);
        Assert.Equal(IceCandidatePairState.Succeeded, Assert.Single(station.Agent.Pairs).State);
    }

    [Fact]
    public void Consent_is_refreshed_about_every_five_seconds_and_lost_thirty_seconds_after_the_peer_goes_quiet()
    {
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlling);
        Peer phone = Peer.Create(net, "192.168.1.20:20000", IceRole.Controlled);
        string? failure = null;
        station.Agent.Failed += reason => failure = reason;
        Connect(station, phone);
        net.RunUntil(() => Both(station, phone, IceAgentState.Connected), Bound);

        long before = station.Agent.ChecksSent;
        net.Run(TimeSpan.FromSeconds(60));
        long consentChecks = station.Agent.ChecksSent - before;
        Assert.Equal(IceAgentState.Connected, station.Agent.State);
        Assert.InRange(consentChecks, 10, 15); // 60 s at 4-6 s apart (RFC 7675 §5.1)

        // The phone disappears: consent holds for 30 s after its last answer, then the agent gives up and stops sending.
        net.Unplugged.Add(phone.Socket.Local.Address);
        TimeSpan lost = net.RunUntil(() => station.Agent.State == IceAgentState.Failed, TimeSpan.FromSeconds(60));

        Assert.InRange(lost, TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(30.5));
        Assert.Contains("consent", failure, StringComparison.Ordinal);
        Assert.Null(station.Agent.SelectedPair);
        int sent = station.Socket.Sent;
        net.Run(TimeSpan.FromSeconds(30));
        Assert.Equal(sent, station.Socket.Sent);
    }

    [Fact]
    public void With_an_ice_lite_peer_the_full_agent_takes_control_nominates_and_keeps_consent()
    {
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlled);
        var liteCredentials = IceCredentials.Generate();
        IPEndPoint liteAddress = IPEndPoint.Parse("192.168.1.30:30000");
        uint litePriority = IcePriority.OfCandidate(IceCandidateType.Host, 65535, 1);
        var lite = new IceLiteResponder(liteCredentials, litePriority, station.Agent.Credentials.Ufrag);
        net.Attach(liteAddress, (data, source) =>
        {
            var response = new byte[256];
            if (lite.Handle(data, source, response, out int length) is not IceCheckOutcome.NotACheck and not IceCheckOutcome.Dropped)
            {
                net.Send(liteAddress, source, response.AsSpan(0, length));
            }
        });

        station.Agent.Start();
        station.Agent.SetRemote(new IceMediaParameters
        {
            Credentials = liteCredentials,
            Candidates = [Host(liteAddress, litePriority)],
            Lite = true,
            RtcpMux = true,
        });
        net.RunUntil(() => station.Agent.State == IceAgentState.Connected, Bound);

        // RFC 8445 §6.1.1: the full agent controls when the peer is lite, and nominates (§8.1.1).
        Assert.Equal(IceRole.Controlling, station.Agent.Role);
        Assert.Equal(liteAddress, station.Agent.SelectedPair!.RemoteEndPoint);
        Assert.Equal(station.Socket.Local, lite.SelectedRemote);
        net.Run(TimeSpan.FromSeconds(45));
        Assert.Equal(IceAgentState.Connected, station.Agent.State);
    }

    [Fact]
    public void A_peer_that_does_not_answer_checks_fails_ice_after_the_check_timeout_and_nothing_is_sent_after()
    {
        // A peer without ICE (its SDP had no ice-ufrag, or it ignores STUN): every check goes unanswered.
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlling);
        IPEndPoint silent = IPEndPoint.Parse("192.168.1.40:40000");
        net.Attach(silent, (_, _) => { });
        string? failure = null;
        station.Agent.Failed += reason => failure = reason;

        station.Agent.Start();
        station.Agent.SetRemote(new IceMediaParameters { Credentials = IceCredentials.Generate(), Candidates = [Host(silent, 2_000_000_000)] });
        TimeSpan took = net.RunUntil(() => station.Agent.State == IceAgentState.Failed, TimeSpan.FromSeconds(40));

        Assert.Equal(IceAgentState.Failed, station.Agent.State);
        Assert.NotNull(failure);
        Assert.True(took <= TimeSpan.FromSeconds(20.1), $"took {took}");
        Assert.InRange(station.Socket.Sent, 2, 7); // one check, retransmitted 500 ms doubling up to 1.6 s (7 requests)
        int sent = station.Socket.Sent;
        net.Run(TimeSpan.FromSeconds(10));
        Assert.Equal(sent, station.Socket.Sent);
    }

    [Fact]
    public void An_agent_whose_peer_answered_without_ice_sends_nothing()
    {
        // RFC 8445 §5.4 fallback: the answer had no ICE attributes, so SetRemote is never called; the call uses plain SDP.
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlling);
        station.Agent.Start();

        net.Run(TimeSpan.FromSeconds(30));

        Assert.Equal(0, station.Socket.Sent);
        Assert.Equal(IceAgentState.New, station.Agent.State);
        station.Agent.Dispose();
        Assert.Equal(IceAgentState.Closed, station.Agent.State);
    }

    /// <summary>
    /// RFC 8839 Appendix B's race from the controlled side: the peer's nominating check arrives before our own check of
    /// the pair has come back. Nothing is selected yet, but the nomination is told with its pair (the call's SDP names
    /// that pair's local candidate); a check without our password tells nothing.
    /// </summary>
    [Fact]
    public void A_nominating_check_is_told_before_our_own_check_of_the_pair_succeeds_and_only_with_our_password()
    {
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlled);
        IPEndPoint phone = IPEndPoint.Parse("192.168.1.20:20000");
        var phoneCredentials = new IceCredentials("phone", "phonepasswordphonepassword");
        var nominated = new List<IceCandidatePair>();
        station.Agent.NominationReceived += nominated.Add;
        var answers = new List<StunMessageClass>();
        net.Attach(phone, (data, source) =>
        {
            // The phone answers none of the station's checks: the pair never becomes valid on the station's side.
            if (StunMessage.TryParse(data, out StunMessage m, out _) && m.Class != StunMessageClass.Request)
            {
                answers.Add(m.Class);
            }
        });
        station.Agent.Start();
        station.Agent.SetRemote(new IceMediaParameters { Credentials = phoneCredentials, Candidates = [Host(phone, 2130706431)], RtcpMux = true });

        SendNominatingCheck(net, phone, station, phoneCredentials, "guessedpasswordguessedpassword");
        net.Run(TimeSpan.FromMilliseconds(500));
        Assert.Empty(nominated);

        SendNominatingCheck(net, phone, station, phoneCredentials, station.Agent.Credentials.Password);
        net.Run(TimeSpan.FromMilliseconds(500));

        Assert.Equal([StunMessageClass.ErrorResponse, StunMessageClass.SuccessResponse], answers);
        IceCandidatePair pair = Assert.Single(nominated);
        Assert.Equal(station.Socket.Local, new IPEndPoint(pair.Local.Candidate.Address!, pair.Local.Candidate.Port));
        Assert.Equal(phone, pair.RemoteEndPoint);
        Assert.Null(station.Agent.SelectedPair);
    }

    private static void SendNominatingCheck(IceTestNetwork net, IPEndPoint from, Peer to, IceCredentials fromCredentials, string password) =>
        net.Send(from, to.Socket.Local, Check(to.Agent.Credentials.Ufrag + ":" + fromCredentials.Ufrag, password, useCandidate: true));

    private static byte[] Check(string username, string password, bool useCandidate)
    {
        var request = new byte[256];
        var writer = new StunMessageWriter(request, StunMethod.Binding, StunMessageClass.Request, StunTransactionId.New());
        writer.AddUsername(username);
        writer.AddPriority(1853817087);
        writer.AddIceControlling(ulong.MaxValue);
        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        writer.AddMessageIntegrity(StunCredentials.ShortTermKey(password));
        writer.AddFingerprint();
        return request.AsSpan(0, writer.Complete()).ToArray();
    }

    /// <summary>
    /// What re (baresip's stack) re-offers with before its nominating check arrives: the pair of its own check that we
    /// answered. Which candidate of ours answered a check from each peer address is known before the answer leaves (so
    /// before the peer can name the pair), the highest-priority one when several did, and never for a check without our
    /// password.
    /// </summary>
    [Fact]
    public void The_candidate_that_answered_a_peers_check_is_known_before_the_answer_leaves_and_only_with_our_password()
    {
        var net = new IceTestNetwork();
        var relay = new FakeRelay(net, IPEndPoint.Parse("198.51.100.50:49152"), IPEndPoint.Parse("198.51.100.50:3478"));
        var socket = net.AddSocket(IPEndPoint.Parse("198.51.100.1:10000"));
        var agent = new IceAgent(socket, new IceAgentOptions { Role = IceRole.Controlled, Time = net.Time });
        socket.Receiver = agent;
        IceLocalCandidate host = agent.AddHostCandidate(socket.Local);
        IceLocalCandidate relayed = agent.AddRelayedCandidate(relay);
        relay.Received = (data, peer) => agent.OnRelayedPacket(relay, data, peer);
        IPEndPoint phone = IPEndPoint.Parse("198.51.100.20:20000");
        var phoneCredentials = new IceCredentials("phone", "phonepasswordphonepassword");
        var knownAsTheAnswerLeft = new List<IceLocalCandidate?>();
        relay.Sending = (peer, data) =>
        {
            if (StunMessage.TryParse(data, out StunMessage m, out _) && m.Class == StunMessageClass.SuccessResponse)
            {
                knownAsTheAnswerLeft.Add(agent.AnsweredCandidateFor(peer));
            }
        };
        var answers = new List<StunMessageClass>();
        net.Attach(phone, (data, from) =>
        {
            if (StunMessage.TryParse(data, out StunMessage m, out _) && m.Class != StunMessageClass.Request)
            {
                answers.Add(m.Class);
            }
        });
        agent.Start();
        agent.SetRemote(new IceMediaParameters { Credentials = phoneCredentials, Candidates = [Host(phone, 2130706431)], RtcpMux = true });
        string username = agent.Credentials.Ufrag + ":" + phoneCredentials.Ufrag;

        net.Send(phone, relay.RelayedAddress, Check(username, "guessedpasswordguessedpassword", useCandidate: false));
        net.Run(TimeSpan.FromMilliseconds(200));
        Assert.Equal([StunMessageClass.ErrorResponse], answers);
        Assert.Null(agent.AnsweredCandidateFor(phone));

        net.Send(phone, relay.RelayedAddress, Check(username, agent.Credentials.Password, useCandidate: false));
        net.Run(TimeSpan.FromMilliseconds(200));
        Assert.Equal([StunMessageClass.ErrorResponse, StunMessageClass.SuccessResponse], answers);
        Assert.Equal([relayed], knownAsTheAnswerLeft);
        Assert.Same(relayed, agent.AnsweredCandidateFor(phone));
        Assert.Null(agent.SelectedPair);

        // Our host candidate answers the same address too: the peer's pair with it has the higher priority.
        net.Send(phone, socket.Local, Check(username, agent.Credentials.Password, useCandidate: false));
        net.Run(TimeSpan.FromMilliseconds(200));
        Assert.Same(host, agent.AnsweredCandidateFor(phone));
    }

    [Fact]
    public void A_strangers_checks_with_the_wrong_password_are_refused_and_never_move_the_selected_pair()
    {
        var net = new IceTestNetwork();
        Peer station = Peer.Create(net, "192.168.1.10:10000", IceRole.Controlled);
        Peer phone = Peer.Create(net, "192.168.1.20:20000", IceRole.Controlling);
        Connect(phone, station);
        net.RunUntil(() => Both(station, phone, IceAgentState.Connected), Bound);
        IPEndPoint selected = station.Agent.SelectedPair!.RemoteEndPoint;

        // The stranger knows both ufrags (they travel in clear in every check) but not the phone's view of our password.
        IPEndPoint stranger = IPEndPoint.Parse("192.168.1.66:6666");
        var refusals = new List<int>();
        net.Attach(stranger, (data, from) =>
        {
            if (StunMessage.TryParse(data, out StunMessage m, out _) && m.TryGetErrorCode(out int code, out _))
            {
                refusals.Add(code);
            }
        });
        for (int i = 0; i < 5; i++)
        {
            var request = new byte[256];
            var writer = new StunMessageWriter(request, StunMethod.Binding, StunMessageClass.Request, StunTransactionId.New());
            writer.AddUsername(station.Agent.Credentials.Ufrag + ":" + phone.Agent.Credentials.Ufrag);
            writer.AddPriority(uint.MaxValue >> 1);
            writer.AddIceControlling(ulong.MaxValue);
            writer.AddUseCandidate();
            writer.AddMessageIntegrity(StunCredentials.ShortTermKey("guessedpasswordguessedpassword"));
            writer.AddFingerprint();
            net.Send(stranger, station.Socket.Local, request.AsSpan(0, writer.Complete()));

            // And a forged success response naming the stranger: no transaction of ours has its id.
            var forged = new byte[128];
            var answer = new StunMessageWriter(forged, StunMethod.Binding, StunMessageClass.SuccessResponse, StunTransactionId.New());
            answer.AddXorMappedAddress(stranger);
            answer.AddFingerprint();
            net.Send(stranger, station.Socket.Local, forged.AsSpan(0, answer.Complete()));
        }

        net.Run(TimeSpan.FromSeconds(2));

        Assert.Equal([401, 401, 401, 401, 401], refusals);
        Assert.Equal(selected, station.Agent.SelectedPair!.RemoteEndPoint);
        Assert.Equal(IceRole.Controlled, station.Agent.Role);
        Assert.DoesNotContain(station.Agent.Pairs, p => p.RemoteEndPoint.Equals(stranger));
    }

    [Fact]
    public void Through_a_relay_the_relayed_pair_is_selected_and_its_checks_and_media_go_through_the_relay()
    {
        // The station's own address reaches nobody (a network that lets no UDP out but to its TURN server).
        var net = new IceTestNetwork();
        net.AddRouter(IPAddress.Parse("198.51.100.1"), "10.0.0.");
        net.Unplugged.Add(IPAddress.Parse("198.51.100.1"));
        var relay = new FakeRelay(net, IPEndPoint.Parse("198.51.100.50:49152"), IPEndPoint.Parse("198.51.100.50:3478"));
        var socket = net.AddSocket(IPEndPoint.Parse("10.0.0.10:10000"));
        var agent = new IceAgent(socket, new IceAgentOptions { Role = IceRole.Controlling, Time = net.Time });
        socket.Receiver = agent;
        agent.AddHostCandidate(socket.Local);
        agent.AddRelayedCandidate(relay);
        var media = new List<(byte[] Data, IPEndPoint Peer)>();
        relay.Received = (data, peer) =>
        {
            if (!agent.OnRelayedPacket(relay, data, peer))
            {
                media.Add((data, peer));
            }
        };
        var station = new Peer(agent, socket);
        Peer phone = Peer.Create(net, "198.51.100.20:20000", IceRole.Controlled);

        IceCandidate relayed = Assert.Single(agent.LocalCandidates, c => c.Type == IceCandidateType.Relayed);
        Assert.Equal("198.51.100.50", relayed.ConnectionAddress);
        Connect(station, phone);
        net.RunUntil(() => Both(station, phone, IceAgentState.Connected), Bound);

        IceCandidatePair selected = agent.SelectedPair ?? throw new Xunit.Sdk.XunitException($"not connected: {agent.State}");
        Assert.Equal(IceCandidateType.Relayed, selected.Local.Candidate.Type);
        Assert.Same(relay, selected.Local.Relay);
        Assert.Equal(phone.Socket.Local, selected.RemoteEndPoint);
        Assert.Equal(relay.RelayedAddress, phone.Agent.SelectedPair!.RemoteEndPoint);
        Assert.True(relay.Sent > 0);

        // Media from the phone arrives through the relay with the phone as its source, and is not the agent's.
        byte[] rtp = [0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1];
        net.Send(phone.Socket.Local, relay.RelayedAddress, rtp);
        net.Pump();
        (byte[] data, IPEndPoint from) = Assert.Single(media);
        Assert.Equal(rtp, data);
        Assert.Equal(phone.Socket.Local, from);

        // What the media path may take through the relay besides the selected pair: valid pairs only (RFC 8445 §12.1).
        Assert.True(agent.IsValidRemote(relay, phone.Socket.Local));
        Assert.False(agent.IsValidRemote(relay, IPEndPoint.Parse("198.51.100.66:20000")));
        Assert.False(agent.IsValidRemote(null, phone.Socket.Local));
    }

    private static bool Both(Peer a, Peer b, IceAgentState state) => a.Agent.State == state && b.Agent.State == state;

    private static void Connect(Peer offerer, Peer answerer)
    {
        offerer.Agent.Start();
        answerer.Agent.Start();
        answerer.Agent.SetRemote(offerer.Parameters());
        offerer.Agent.SetRemote(answerer.Parameters());
    }

    private static IceCandidate Host(IPEndPoint address, uint priority) => new()
    {
        Foundation = "1",
        ComponentId = 1,
        Transport = "UDP",
        Priority = priority,
        ConnectionAddress = address.Address.ToString(),
        Address = address.Address,
        Port = address.Port,
        Type = IceCandidateType.Host,
    };

    private sealed class Peer(IceAgent agent, IceTestNetwork.Socket socket)
    {
        public IceAgent Agent { get; } = agent;

        public IceTestNetwork.Socket Socket { get; } = socket;

        public static Peer Create(IceTestNetwork net, string host, IceRole role, ulong tieBreaker = 0)
        {
            IceTestNetwork.Socket socket = net.AddSocket(IPEndPoint.Parse(host));
            var agent = new IceAgent(socket, new IceAgentOptions { Role = role, Time = net.Time, TieBreaker = tieBreaker });
            socket.Receiver = agent;
            agent.AddHostCandidate(socket.Local);
            return new Peer(agent, socket);
        }

        public static async Task<Peer> CreateWithStunAsync(IceTestNetwork net, string host, IceRole role)
        {
            Peer peer = Create(net, host, role);
            Task<StunBindingResult> gathering = peer.Agent.GatherServerReflexiveAsync(peer.Socket.Local, [IceTestNetwork.StunServer]);
            net.Pump();
            StunBindingResult result = await gathering.WaitAsync(Bound);
            Assert.True(result.Succeeded, result.Failure);
            return peer;
        }

        public IceMediaParameters Parameters() => new() { Credentials = Agent.Credentials, Candidates = Agent.LocalCandidates, RtcpMux = true };
    }

    private sealed class FakeRelay : IIceRelay
    {
        private readonly IceTestNetwork _net;

        public FakeRelay(IceTestNetwork net, IPEndPoint relayed, IPEndPoint server)
        {
            _net = net;
            RelayedAddress = relayed;
            ServerAddress = server;
            net.Attach(relayed, (data, peer) => Received?.Invoke(data, peer));
        }

        public IPEndPoint RelayedAddress { get; }

        public IPEndPoint ServerAddress { get; }

        public int Sent { get; private set; }

        public Action<byte[], IPEndPoint>? Received { get; set; }

        /// <summary>Told of each datagram as the agent hands it over, before it is on its way.</summary>
        public Action<IPEndPoint, byte[]>? Sending { get; set; }

        public void Send(IPEndPoint peer, ReadOnlySpan<byte> datagram)
        {
            Sending?.Invoke(peer, datagram.ToArray());
            Sent++;
            _net.Send(RelayedAddress, peer, datagram);
        }
    }
}
