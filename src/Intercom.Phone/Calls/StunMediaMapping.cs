using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Nat;
using Intercom.Media.Turn;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>
/// One account's STUN use for its calls (RFC 8489 §3.1 without ICE): before a call's SDP is written, the public mapping of
/// its RTP socket is asked of the account's STUN servers from that very socket, within a bound (2 s by default); the SDP
/// then advertises it. When no server answers in time the call goes on with the local address, and that is logged as a
/// warning once (again only after a later success). The last mapping learned is the account's public media address.
/// </summary>
public sealed partial class StunMediaMapping
{
    private readonly AccountNatOptions _options;
    private readonly string _accountId;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private volatile IPEndPoint? _lastMapped;
    private volatile string? _lastPair;
    private int _warned;
    private int _relayWarned;

    public StunMediaMapping(AccountNatOptions options, string accountId, TimeProvider time, ILogger log)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _accountId = accountId ?? "";
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>The public address and port the last call of the account learned (its RTP socket's mapping), if any.</summary>
    public IPEndPoint? LastMapped => _lastMapped;

    /// <summary>The candidate pair ICE selected for the account's last call ("srflx 198.51.100.1:10304 -> srflx ..."), if any.</summary>
    public string? LastSelectedPair => _lastPair;

    /// <summary>The servers asked, in order.</summary>
    public IReadOnlyList<DnsEndPoint> Servers => _options.StunServers;

    /// <summary>Learns <paramref name="media"/>'s public mapping and makes its SDP advertise it; never throws, never takes longer than the bound (plus DNS).</summary>
    /// <param name="offerer">True when the call's first SDP is our offer: with ICE we are then the controlling agent (RFC 8445 §6.1.1).</param>
    public async Task LearnAsync(CallMediaSession media, bool offerer = true)
    {
        ArgumentNullException.ThrowIfNull(media);
        StunBindingResult result;
        try
        {
            if (_options.UsesIce)
            {
                media.IcePairSelected += pair =>
                {
                    string text = Describe(pair);
                    _lastPair = text;
                    LogSelected(_log, _accountId, text);
                };
                media.IceFailed += reason => LogIceFailed(_log, _accountId, reason);
                result = await media.PrepareIceAsync(_options.StunServers, _options.StunTimeout, _time, offerer ? IceRole.Controlling : IceRole.Controlled,
                    _options.Turn).ConfigureAwait(false);
                ReportRelay(media);
            }
            else
            {
                result = await media.LearnPublicAddressAsync(_options.StunServers, _options.StunTimeout, _time).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A failure to learn the mapping must never stop the call: it goes on with the local address.
        catch (Exception e)
#pragma warning restore CA1031
        {
            result = StunBindingResult.Failed(e.Message);
        }

        if (result.Succeeded)
        {
            _lastMapped = result.MappedAddress;
            Interlocked.Exchange(ref _warned, 0);
            LogLearned(_log, _accountId, result.MappedAddress!.ToString(), result.Server?.ToString() ?? "");
        }
        else if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            LogFailed(_log, _accountId, result.Failure ?? "no answer");
        }
    }

    /// <summary>The call's relayed candidate, or why it has none (warned once until a relay is had again).</summary>
    private void ReportRelay(CallMediaSession media)
    {
        if (_options.Turn is not { Servers.Count: > 0 })
        {
            return;
        }

        if (media.Relay is { } relay)
        {
            Interlocked.Exchange(ref _relayWarned, 0);
            TurnAllocation allocation = relay.Allocation;
            LogRelayed(_log, _accountId, allocation.RelayedAddress.ToString(), allocation.ServerAddress.ToString(), allocation.Transport.ToString());
            allocation.Lost += (_, reason) => LogRelayLost(_log, _accountId, reason.Message);
        }
        else if (Interlocked.Exchange(ref _relayWarned, 1) == 0)
        {
            LogRelayFailed(_log, _accountId, media.RelayFailure ?? "no answer");
        }
    }

    /// <summary>A pair as the status page shows it: our candidate (its address, not its base) and the peer's, with their types.</summary>
    public static string Describe(IceCandidatePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        IceCandidate local = pair.Local.Candidate;
        return $"{IceCandidate.TypeName(local.Type)} {new IPEndPoint(local.Address ?? IPAddress.None, local.Port)} -> {IceCandidate.TypeName(pair.Remote.Type)} {pair.RemoteEndPoint}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "account {Account}: ICE selected pair {Pair}")]
    private static partial void LogSelected(ILogger logger, string account, string pair);

    [LoggerMessage(Level = LogLevel.Information, Message = "account {Account}: TURN relayed candidate {Relayed} on {Server} ({Transport})")]
    private static partial void LogRelayed(ILogger logger, string account, string relayed, string server, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "account {Account}: TURN allocation lost ({Reason})")]
    private static partial void LogRelayLost(ILogger logger, string account, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "account {Account}: no TURN relay for the call ({Reason}); it offers host and server-reflexive candidates only (warned once until a relay is had again)")]
    private static partial void LogRelayFailed(ILogger logger, string account, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "account {Account}: ICE failed ({Reason}); the call ends")]
    private static partial void LogIceFailed(ILogger logger, string account, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "account {Account}: STUN mapped the call's RTP socket to {Public} ({Server})")]
    private static partial void LogLearned(ILogger logger, string account, string @public, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "account {Account}: STUN failed ({Reason}); calls advertise the local RTP address (warned once until STUN works again)")]
    private static partial void LogFailed(ILogger logger, string account, string reason);
}
