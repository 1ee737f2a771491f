using System.Net;
using System.Security.Cryptography.X509Certificates;
using DnsClient;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Interop.Tests.Registration;

/// <summary>
/// The station's SIP stack as the application composes it: a loop on its own thread, the transport, the transaction
/// layer with a UA core that answers OPTIONS (so a request routed by Kamailio to our binding proves the registration),
/// and one <see cref="RegistrationClient"/>.
/// </summary>
internal sealed class StationSipStack : ITransactionUser, IAsyncDisposable
{
    private readonly LookupClient _dns = new(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, 9)));
    private readonly SipTransportLayer _transport;
    private readonly List<RegistrationStatus> _statuses = [];
    private readonly SemaphoreSlim _changed = new(0);
    private int _optionsReceived;

    public StationSipStack(RegistrationOptions options, TestCertificates certificates)
    {
        Loop = new SipLoop(TimeProvider.System);
        _transport = new SipTransportLayer(Loop, new SipTransportOptions
        {
            Tls = new SipTlsOptions
            {
                // Our listener presents the harness certificate (Kamailio connects to it to reach a TLS binding); the
                // registrar must chain to the harness CA and carry 127.0.0.1.
                Certificate = X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.PrivateKeyFile),
                ServerValidation = SipTlsPeerValidation.ConfiguredCertificateAuthorities,
                CertificateAuthorities = CertificateAuthorityFile.Load(certificates.CaFile),
            },
        });
        Layer = new TransactionLayer(Loop, _transport, this);
        OnLoop(() =>
        {
            foreach (var protocol in new[] { SipTransportProtocol.Udp, SipTransportProtocol.Tcp, SipTransportProtocol.Tls })
            {
                _transport.AddListener(protocol, new IPEndPoint(IPAddress.Loopback, 0));
            }
        });

        // Numeric registrars never reach DNS (RFC 3263 §4.2); the resolver points at a port nobody serves.
        var locator = new SipServerLocator(_dns);
        Client = new RegistrationClient(Layer, locator, options);
        _transport.ConnectionClosed = Client.OnFlowClosed;
        Client.StatusChanged += (_, status) =>
        {
            lock (_statuses)
            {
                _statuses.Add(status);
            }

            _changed.Release();
        };
    }

    public SipLoop Loop { get; }

    public TransactionLayer Layer { get; }

    public RegistrationClient Client { get; }

    public int OptionsReceived => Volatile.Read(ref _optionsReceived);

    public IReadOnlyList<RegistrationStatus> Statuses
    {
        get
        {
            lock (_statuses)
            {
                return [.. _statuses];
            }
        }
    }

    public string History => string.Join("\n", Statuses.Select(s => $"{s.State}: {s.Reason}"));

    /// <summary>Waits until the status satisfies <paramref name="condition"/>, for at most <paramref name="timeout"/>.</summary>
    public async Task<RegistrationStatus> WaitForAsync(Func<RegistrationStatus, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var status = Client.Status;
            if (condition(status))
            {
                return status;
            }

            try
            {
                await _changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"not {what} within {timeout.TotalSeconds} s; history:\n{History}");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        OnLoop(() =>
        {
            Client.Dispose();
            _transport.Dispose();
        });
        Loop.Dispose();
        _changed.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends OPTIONS for <paramref name="target"/> to the registrar at <paramref name="registrar"/> and returns the final
    /// status: the registrar's location service decides where it goes (our binding, answered 200 by this stack, or 404).
    /// </summary>
    public async Task<int> ProbeAsync(SipUri target, SipDestination registrar, TimeSpan timeout)
    {
        var probe = new Probe();
        OnLoop(() =>
        {
            var headers = new SipHeaders();
            headers.Add(SipHeaderNames.MaxForwards, "70");
            headers.Add(SipHeaderNames.From, "<sip:probe@127.0.0.1>;tag=" + TransactionLayer.NewBranch()[7..]);
            headers.Add(SipHeaderNames.To, new SipNameAddress(target).ToString());
            headers.Add(SipHeaderNames.CallId, TransactionLayer.NewBranch() + "@probe");
            headers.Add(SipHeaderNames.CSeq, "1 OPTIONS");
            Layer.SendRequest(new SipRequest(SipMethods.Options, target, headers), [registrar], probe);
        });
        return await probe.Result.Task.WaitAsync(timeout);
    }

    /// <summary>Runs <paramref name="action"/> on the loop (the transport's members belong to it) and waits, bounded.</summary>
    private void OnLoop(Action action)
    {
        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        Loop.Post(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                done.Set();
            }
        });
        if (!done.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("the SIP loop did not run the work within 10 s");
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("work on the SIP loop failed", failure);
        }
    }

    void ITransactionUser.OnRequest(ServerTransaction transaction, SipRequest request)
    {
        if (request.Method == SipMethods.Options)
        {
            Interlocked.Increment(ref _optionsReceived);
            transaction.Respond(SipResponse.CreateFor(request, 200, toTag: "station"));
        }
        else if (request.Method != SipMethods.Ack)
        {
            transaction.Respond(SipResponse.CreateFor(request, 501, toTag: "station"));
        }
    }

    void ITransactionUser.OnAck(SipRequest ack, SipFlow flow)
    {
    }

    void ITransactionUser.OnStrayResponse(SipResponse response, SipFlow flow)
    {
    }

    void ITransactionUser.OnServerTransactionFailed(ServerTransaction transaction, ServerTransactionFailure failure)
    {
    }

    private sealed class Probe : IClientTransactionUser
    {
        public TaskCompletionSource<int> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnProvisional(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFinal(ClientTransaction transaction, SipResponse response) => Result.TrySetResult(response.StatusCode);

        public void OnTimeout(ClientTransaction transaction) => Result.TrySetResult(408);

        public void OnTransportError(ClientTransaction transaction, SipTransportError error) => Result.TrySetResult(503);
    }
}
