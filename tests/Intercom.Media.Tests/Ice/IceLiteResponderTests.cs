using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Nat;

namespace Intercom.Media.Tests.Ice;

public sealed class IceLiteResponderTests
{
    private static readonly IceCredentials Station = new("stat", "stationpasswordstationpw");
    private static readonly IceCredentials Browser = new("brow", "browserpasswordbrowserpw");
    private static readonly IPEndPoint BrowserHost = IPEndPoint.Parse("192.168.1.30:50000");
    private static readonly IPEndPoint BrowserOther = IPEndPoint.Parse("192.168.1.30:50002");
    private static readonly uint HostPriority = IcePriority.OfCandidate(IceCandidateType.Host, 65535, 1);

    [Fact]
    public void Answers_an_authentic_check_with_the_source_address_integrity_and_fingerprint()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);
        StunTransactionId id = StunTransactionId.New();

        IceCheckOutcome outcome = Handle(responder, Check(id), BrowserHost, out byte[] response);

        Assert.Equal(IceCheckOutcome.Answered, outcome);
        Assert.True(StunMessage.TryParse(response, out StunMessage answer, out _));
        Assert.Equal(StunMessageClass.SuccessResponse, answer.Class);
        Assert.Equal(id, answer.TransactionId);
        Assert.True(answer.TryGetXorMappedAddress(out IPEndPoint? mapped));
        Assert.Equal(BrowserHost, mapped);
        Assert.True(answer.VerifyMessageIntegrity(StunCredentials.ShortTermKey(Station.Password)));
        Assert.True(answer.VerifyFingerprint());
        Assert.True(responder.IsValidRemote(BrowserHost));
        Assert.Null(responder.SelectedRemote);
    }

    [Fact]
    public void A_nomination_selects_the_source_for_media()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);

        Assert.Equal(IceCheckOutcome.Selected, Handle(responder, Check(useCandidate: true), BrowserHost, out _));
        Assert.Equal(BrowserHost, responder.SelectedRemote);
        Assert.Equal(IceCheckOutcome.Answered, Handle(responder, Check(useCandidate: true), BrowserHost, out _));
    }

    [Fact]
    public void Of_two_nominated_pairs_the_higher_priority_one_carries_the_media()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);
        uint high = IcePriority.OfCandidate(IceCandidateType.PeerReflexive, 65535, 1);
        uint low = IcePriority.OfCandidate(IceCandidateType.PeerReflexive, 10, 1);

        Handle(responder, Check(useCandidate: true, priority: high), BrowserHost, out _);
        Assert.Equal(IceCheckOutcome.Answered, Handle(responder, Check(useCandidate: true, priority: low), BrowserOther, out _));

        Assert.Equal(BrowserHost, responder.SelectedRemote);
        Assert.Equal(IceCheckOutcome.Selected, Handle(responder, Check(useCandidate: true, priority: high + 1), BrowserOther, out _));
        Assert.Equal(BrowserOther, responder.SelectedRemote);
    }

    [Fact]
    public void A_check_keyed_with_another_password_is_refused_401_and_selects_nothing()
    {
        // An attacker on the LAN who has not seen our SDP: it knows the ufrags (they can be guessed or sniffed from
        // checks) but not the password.
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);

        IceCheckOutcome outcome = Handle(responder, Check(useCandidate: true, key: "attackerguessattackerguess"), BrowserHost, out byte[] response);

        Assert.Equal(IceCheckOutcome.Refused, outcome);
        Assert.True(StunMessage.TryParse(response, out StunMessage answer, out _));
        Assert.True(answer.TryGetErrorCode(out int code, out _));
        Assert.Equal(401, code);
        Assert.False(answer.HasMessageIntegrity);
        Assert.Null(responder.SelectedRemote);
        Assert.Empty(responder.ValidRemotes);
    }

    [Theory]
    [InlineData("other:brow", 401)]
    [InlineData("stat:other", 401)]
    [InlineData("statbrow", 401)]
    public void A_check_for_another_username_is_refused(string username, int expected)
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);

        Assert.Equal(IceCheckOutcome.Refused, Handle(responder, Check(username: username), BrowserHost, out byte[] response));
        Assert.True(StunMessage.TryParse(response, out StunMessage answer, out _));
        Assert.True(answer.TryGetErrorCode(out int code, out _));
        Assert.Equal(expected, code);
    }

    [Fact]
    public void Before_the_peers_sdp_any_remote_ufrag_is_taken_and_afterwards_only_its_own()
    {
        var responder = new IceLiteResponder(Station, HostPriority);
        Assert.Equal(IceCheckOutcome.Answered, Handle(responder, Check(username: "stat:early"), BrowserHost, out _));

        responder.SetRemoteUfrag(Browser.Ufrag);
        Assert.Equal(IceCheckOutcome.Refused, Handle(responder, Check(username: "stat:early"), BrowserHost, out _));
    }

    [Fact]
    public void A_check_without_integrity_or_priority_is_a_bad_request()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);

        Assert.Equal(IceCheckOutcome.Refused, Handle(responder, Check(withIntegrity: false), BrowserHost, out byte[] noIntegrity));
        Assert.Equal(IceCheckOutcome.Refused, Handle(responder, Check(withPriority: false), BrowserHost, out byte[] noPriority));
        Assert.Equal(400, ErrorCode(noIntegrity));
        Assert.Equal(400, ErrorCode(noPriority));
    }

    [Fact]
    public void A_peer_that_also_claims_the_controlled_role_gets_487()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);

        Assert.Equal(IceCheckOutcome.Refused, Handle(responder, Check(controlled: true), BrowserHost, out byte[] response));
        Assert.Equal(487, ErrorCode(response));
    }

    [Fact]
    public void Media_and_garbage_are_not_checks_and_a_broken_fingerprint_is_dropped_silently()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);
        byte[] rtp = [0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1];
        byte[] check = Check();
        check[^1] ^= 0xFF;

        Assert.Equal(IceCheckOutcome.NotACheck, Handle(responder, rtp, BrowserHost, out _));
        Assert.Equal(IceCheckOutcome.Dropped, Handle(responder, check, BrowserHost, out byte[] response));
        Assert.Empty(response);
    }

    [Fact]
    public void Remembers_a_bounded_number_of_sources_keeping_the_selected_one()
    {
        var responder = new IceLiteResponder(Station, HostPriority, Browser.Ufrag);
        Handle(responder, Check(useCandidate: true), BrowserHost, out _);
        for (int port = 1; port <= IceLiteResponder.MaxValidRemotes * 2; port++)
        {
            Handle(responder, Check(), new IPEndPoint(IPAddress.Parse("192.168.1.31"), port), out _);
        }

        Assert.Equal(IceLiteResponder.MaxValidRemotes, responder.ValidRemotes.Count);
        Assert.True(responder.IsValidRemote(BrowserHost));
        Assert.Equal(BrowserHost, responder.SelectedRemote);
    }

    private static IceCheckOutcome Handle(IceLiteResponder responder, byte[] packet, IPEndPoint source, out byte[] response)
    {
        byte[] buffer = new byte[StunMessage.MaxLength];
        IceCheckOutcome outcome = responder.Handle(packet, source, buffer, out int length);
        response = buffer[..length];
        return outcome;
    }

    private static int ErrorCode(byte[] response)
    {
        Assert.True(StunMessage.TryParse(response, out StunMessage answer, out _));
        Assert.True(answer.TryGetErrorCode(out int code, out _));
        return code;
    }

    // A check as a browser (full agent, controlling) sends it: RFC 8445 §7.1.1.
    private static byte[] Check(StunTransactionId? id = null, bool useCandidate = false, uint? priority = null, string? key = null,
        string? username = null, bool withIntegrity = true, bool withPriority = true, bool controlled = false)
    {
        byte[] buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunMessageClass.Request, id ?? StunTransactionId.New());
        writer.AddUsername(username ?? Station.Ufrag + ":" + Browser.Ufrag);
        if (withPriority)
        {
            writer.AddPriority(priority ?? IcePriority.OfCandidate(IceCandidateType.PeerReflexive, 65535, 1));
        }

        if (controlled)
        {
            writer.AddIceControlled(42);
        }
        else
        {
            writer.AddIceControlling(42);
        }

        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        if (withIntegrity)
        {
            writer.AddMessageIntegrity(StunCredentials.ShortTermKey(key ?? Station.Password));
        }

        writer.AddFingerprint();
        return buffer[..writer.Complete()];
    }
}
