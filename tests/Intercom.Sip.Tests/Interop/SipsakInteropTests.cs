using System.Net;
using System.Net.Sockets;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Core;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Interop;

/// <summary>
/// sipsak (a C SIP test tool) sends OPTIONS to our stack on loopback; our server transaction answers 200. Proves the
/// transport, parser, writer and transaction layer interoperate with another implementation over UDP and TCP.
/// </summary>
public sealed class SipsakInteropTests : IDisposable, ITransactionUser
{
    private readonly SipLoop _loop = new(TimeProvider.System);
    private readonly SipTransportLayer _transport;
    private readonly TransactionLayer _transactions;
    private readonly int _port;
    private int _optionsAnswered;

    public SipsakInteropTests()
    {
        _transport = new SipTransportLayer(_loop);
        _transactions = new TransactionLayer(_loop, _transport, this);
        _port = OnLoop(() => ListenOnFreePort());
    }

    public void Dispose()
    {
        OnLoop(() =>
        {
            _transport.Dispose();
            return 0;
        });
        _loop.Dispose();
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public void Sipsak_OPTIONS_gets_200_from_a_server_transaction(string transport)
    {
        var sipsak = ExternalTool.Find("sipsak", "sipsak");
        var (exitCode, output) = ExternalTool.Run(
            sipsak,
            ["-vv", "-H", "127.0.0.1", "-E", transport, "-s", $"sip:door@127.0.0.1:{_port}"],
            TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"sipsak exit code {exitCode}:\n{output}");
        Assert.Contains("200 OK", output, StringComparison.Ordinal);
        Assert.True(Volatile.Read(ref _optionsAnswered) >= 1);
    }

    void ITransactionUser.OnRequest(ServerTransaction transaction, SipRequest request)
    {
        var response = SipResponseFactory.Create(request, request.Method == SipMethods.Options ? 200 : 501, toTag: "door");
        response.Headers.Add(SipHeaderNames.Allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO");
        transaction.Respond(response);
        Interlocked.Increment(ref _optionsAnswered);
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

    private int ListenOnFreePort()
    {
        // UDP and TCP on the same port, as sipsak reaches both at one URI.
        for (var attempt = 0; ; attempt++)
        {
            var udp = _transport.AddListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                _transport.AddListener(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, udp.LocalEndPoint.Port));
                return udp.LocalEndPoint.Port;
            }
            catch (SocketException) when (attempt < 10)
            {
                // The TCP port is taken; try another UDP port (the stray UDP listener is harmless in a test).
            }
        }
    }

    private T OnLoop<T>(Func<T> action) => _loop.Invoke(action);
}
