using System.Net;
using System.Net.Sockets;
using Intercom.Media.Dtls;
using Intercom.Media.Srtp;

namespace Intercom.Media.Rtp;

/// <summary>
/// DTLS-SRTP on the RTP socket (RFC 5764 §5.1.2, RFC 7983): DTLS datagrams (first byte 20-63) from the peer (see
/// <see cref="HandleDtls"/>) go to <see cref="Dtls"/>, its datagrams leave from the RTP socket to where RTP goes, and the keys it exports
/// arrive by <see cref="ApplyDtlsKeys"/>. While an agreement says DTLS-SRTP and no keys came, no RTP or RTCP is sent or
/// accepted (the fingerprint has not been checked yet).
/// </summary>
public sealed partial class RtpSession : IDtlsDatagramSender
{
    private volatile DtlsEndpoint? _dtls;
    private volatile bool _awaitingDtls;
    private SrtpKeys? _dtlsKeys;
    private long _dtlsPacketsReceived;
    private volatile SocketAddress[] _iceCheckedSources = [];

    /// <summary>The DTLS association keying this session, fed from the socket; null: DTLS datagrams are dropped.</summary>
    public DtlsEndpoint? Dtls
    {
        get => _dtls;
        set => _dtls = value;
    }

    /// <summary>DTLS datagrams from the signalled peer handed to <see cref="Dtls"/>.</summary>
    public long DtlsPacketsReceived => Interlocked.Read(ref _dtlsPacketsReceived);

    /// <summary>
    /// A source whose ICE check passed MESSAGE-INTEGRITY with our password (RFC 8445 §7.3): the peer sends from there. Its
    /// DTLS is taken from there before a pair of ours is valid, as a peer starts its handshake once its own check has
    /// succeeded (RFC 8842 §4), a round trip before ours does. Checks through a relay are not the socket's: not given.
    /// </summary>
    public void AddIceCheckedSource(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        SocketAddress address = Serialize(source);
        if (!Array.Exists(_iceCheckedSources, known => known.Equals(address)))
        {
            _iceCheckedSources = [.. _iceCheckedSources, address];
        }
    }

    /// <summary>True while DTLS-SRTP is agreed but not keyed: media neither sent nor accepted.</summary>
    public bool AwaitingDtls => _awaitingDtls;

    /// <summary>Keys SRTP from a DTLS handshake whose certificate matched (RFC 5764 §4.2); media may flow from now on.</summary>
    public void ApplyDtlsKeys(SrtpKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_stopping)
        {
            return;
        }

        _dtlsKeys = keys;
        _srtpSend = new SrtpContext(keys.Suite, keys.LocalMasterKey.Span);
        _srtcpSend = new SrtpContext(keys.Suite, keys.LocalMasterKey.Span);
        _srtpReceive = new SrtpContext(keys.Suite, keys.RemoteMasterKey.Span);
        _srtcpReceive = new SrtpContext(keys.Suite, keys.RemoteMasterKey.Span);
        _keys = keys;
        _awaitingDtls = false;
    }

    /// <summary>
    /// Sends a DTLS datagram from the RTP socket to the peer's media endpoint: under ICE the selected pair, relayed when
    /// it is (RFC 8842 §4: the handshake runs on the pair media uses), and the SDP's address only until one is selected.
    /// </summary>
    public bool SendDtls(ReadOnlySpan<byte> datagram)
    {
        IcePath? ice = _iceOn ? _icePath : null;
        SocketAddress? remote = ice?.Remote ?? _remoteRtp;
        if (remote is null || _stopping)
        {
            return false;
        }

        try
        {
            if (ice?.Relay is { } relay)
            {
                relay.Send(ice.RemoteEndPoint, datagram);
            }
            else
            {
                _rtpSocket.SendTo(datagram, SocketFlags.None, remote);
            }

            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// An agreement with DTLS-SRTP: the keys are the handshake's, not the SDP's. Until the handshake is done, media waits;
    /// a renegotiation keeps the keys already exported (the association goes on, RFC 5763 §6.7.1).
    /// </summary>
    private SrtpKeys? ApplyDtls()
    {
        SrtpKeys? keys = _dtlsKeys;
        _awaitingDtls = keys is null;
        return keys;
    }

    /// <summary>
    /// A DTLS datagram is the peer's only from where the peer is known to be, or a stranger could start or spoil the
    /// handshake (a forged plaintext alert ends it: RFC 6347 §4.1.2.7 sends alerts unprotected until the keys change).
    /// Under ICE: exactly (address and port) the SDP's endpoint, the selected pair, another valid pair (a browser may move
    /// its sending mid-handshake, RFC 8445 §12.1), or a source whose check carried our password; another program on the
    /// peer's host is none of them. Without ICE: the SDP's address, any port, as a NAT may map the peer's port elsewhere
    /// and no RTP has come yet to latch on (none is taken before the keys).
    /// </summary>
    private void HandleDtls(byte[] buffer, int length, SocketAddress from)
    {
        SocketAddress? signalled = _signalled;
        bool fromPeer = _iceOn ? FromIceDtlsPeer(from, signalled) : signalled is not null && SameAddress(from, signalled);
        if (_dtls is null || !fromPeer)
        {
            Interlocked.Increment(ref _wrongSourcePackets);
            return;
        }

        ReceiveDtls(buffer, length);
    }

    /// <summary>A DTLS datagram from the peer, to the association (dropped when there is none).</summary>
    private void ReceiveDtls(byte[] buffer, int length)
    {
        if (_dtls is { } dtls)
        {
            Interlocked.Increment(ref _dtlsPacketsReceived);
            dtls.Receive(buffer.AsSpan(0, length));
        }
    }

    private bool FromIceDtlsPeer(SocketAddress from, SocketAddress? signalled) =>
        from.Equals(signalled) || from.Equals(_icePath?.Remote)
        || Array.Exists(_iceValidRemotes, from.Equals) || Array.Exists(_iceCheckedSources, from.Equals);
}
