using System.Net;
using DnsClient;
using Intercom.Sip.Core;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// The assembled SIP stack, layered as RFC 3261 is (pjsua's role in pjsip): one loop, the transport layer and its
/// listeners, the transaction layer, the user agent core and the RFC 3263 locator. Applications and tests build it here
/// instead of wiring the layers themselves.
/// </summary>
public sealed class SipStack : IDisposable
{
    private SipStack(SipLoop loop, SipTransportLayer transport, TransactionLayer transactions, SipUserAgent agent, SipServerLocator locator)
    {
        Loop = loop;
        Transport = transport;
        Transactions = transactions;
        Agent = agent;
        Locator = locator;
    }

    public SipLoop Loop { get; }

    public SipTransportLayer Transport { get; }

    public TransactionLayer Transactions { get; }

    public SipUserAgent Agent { get; }

    public SipServerLocator Locator { get; }

    public static SipStack Create(SipStackOptions? options = null, TimeProvider? time = null, ILoggerFactory? logs = null)
    {
        options ??= new SipStackOptions();
        var loop = new SipLoop(time ?? TimeProvider.System);
        var log = logs?.CreateLogger("sip");
        if (log is not null)
        {
            loop.UnhandledException = e => log.LogError(e, "bug in SIP loop work item");
        }

        var transport = new SipTransportLayer(loop, options.Transport, log);
        var transactions = new TransactionLayer(loop, transport, null, options.Timers);
        var servers = options.DnsServers;
        var locator = new SipServerLocator(() => servers.Count > 0
            ? new LookupClient(new LookupClientOptions([.. servers]) { UseCache = true, Timeout = TimeSpan.FromSeconds(3), Retries = 1 })
            : new LookupClient(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(3), Retries = 1 }));
        var agent = new SipUserAgent(transactions, options.Agent, locator, log);
        return new SipStack(loop, transport, transactions, agent, locator);
    }

    /// <summary>Starts a listener; port 0 picks a free port, read it from the result.</summary>
    public SipListener Listen(SipTransportProtocol protocol, IPEndPoint bindTo, string? advertisedHost = null) =>
        Transport.AddListener(protocol, bindTo, advertisedHost);

    /// <summary>Runs <paramref name="work"/> on the SIP loop and returns its result to the caller's thread.</summary>
    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.Post(() =>
        {
            try
            {
                tcs.SetResult(work());
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        });
        return tcs.Task;
    }

    public void Dispose()
    {
        // The loop first: the transport's connection table belongs to the loop, and a connection closing on an I/O
        // thread posts its removal there. Disposing the transport while the loop still ran that removal read the table
        // mid-change (a null connection in Dispose: found by ValidatedConfigStartsTests in a fresh-clone CI run). With
        // the loop stopped, what is posted meanwhile is discarded.
        Loop.Dispose();
        Transport.Dispose();
    }
}
