using Intercom.Sip.Core;

namespace Intercom.Sip.Transport;

/// <summary>
/// Periodic RFC 5626 §4.4.1 CRLFCRLF keepalives to one destination, each after a random 80–100 % of the interval so
/// many devices behind one NAT do not send in step. Runs on the SIP loop; dispose to stop.
/// </summary>
internal sealed class SipKeepAlive : IDisposable
{
    private readonly SipTransportLayer _layer;
    private readonly SipDestination _destination;
    private readonly TimeSpan _interval;
    private readonly SipTimer _timer;

    public SipKeepAlive(SipTransportLayer layer, SipLoop loop, SipDestination destination, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _layer = layer;
        _destination = destination;
        _interval = interval;
        _timer = loop.CreateTimer(static s => ((SipKeepAlive)s!).Tick(), this);
        _timer.Start(NextDelay());
    }

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        _layer.SendKeepAlive(_destination);
        _timer.Start(NextDelay());
    }

    private TimeSpan NextDelay() => _interval * (0.8 + (0.2 * Random.Shared.NextDouble()));
}
