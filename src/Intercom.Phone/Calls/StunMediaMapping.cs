using System.Net;
using Intercom.Media.Nat;
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
    private int _warned;

    public StunMediaMapping(AccountNatOptions options, string accountId, TimeProvider time, ILogger log)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _accountId = accountId ?? "";
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>The public address and port the last call of the account learned (its RTP socket's mapping), if any.</summary>
    public IPEndPoint? LastMapped => _lastMapped;

    /// <summary>The servers asked, in order.</summary>
    public IReadOnlyList<DnsEndPoint> Servers => _options.StunServers;

    /// <summary>Learns <paramref name="media"/>'s public mapping and makes its SDP advertise it; never throws, never takes longer than the bound (plus DNS).</summary>
    public async Task LearnAsync(CallMediaSession media)
    {
        ArgumentNullException.ThrowIfNull(media);
        StunBindingResult result;
        try
        {
            result = await media.LearnPublicAddressAsync(_options.StunServers, _options.StunTimeout, _time).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "account {Account}: STUN mapped the call's RTP socket to {Public} ({Server})")]
    private static partial void LogLearned(ILogger logger, string account, string @public, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "account {Account}: STUN failed ({Reason}); calls advertise the local RTP address (warned once until STUN works again)")]
    private static partial void LogFailed(ILogger logger, string account, string reason);
}
