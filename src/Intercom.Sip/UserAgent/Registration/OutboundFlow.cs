using System.Globalization;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent.Registration;

/// <summary>
/// SIP outbound (RFC 5626) for one registration, on the UA's side: whether the registrar took the registration's flow
/// (§4.2.1), the keep-alive interval it asks for (Flow-Timer, §4.4.1), and the pong watch on TCP/TLS flows (§4.4.1: a
/// ping not answered by a pong within 10 s means the flow failed). Owned by its <see cref="RegistrationClient"/> on the
/// SIP loop.
/// </summary>
internal sealed class OutboundFlow : IDisposable
{
    /// <summary>RFC 5626 §4.4.1: a CRLF ping must be answered within 10 s, or the flow has failed.</summary>
    public static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(10);

    private const string OptionTag = "outbound";
    private const string FlowTimerHeader = "Flow-Timer";

    private readonly SipTimer _pongDeadline;
    private readonly Action<SipDestination> _failed;
    private SipDestination? _awaitingPong;

    /// <param name="loop">The SIP loop (its clock times the pong).</param>
    /// <param name="failed">Called on the loop with the flow whose pong did not come.</param>
    public OutboundFlow(SipLoop loop, Action<SipDestination> failed)
    {
        _failed = failed;
        _pongDeadline = loop.CreateTimer(static s => ((OutboundFlow)s!).OnPongMissing(), this);
    }

    /// <summary>True after a 2xx that took the flow (Require: outbound), until the next outcome says otherwise.</summary>
    public bool InUse { get; private set; }

    /// <summary>The registrar's Flow-Timer of the last 2xx (seconds between keep-alives it needs at most), or null.</summary>
    public TimeSpan? FlowTimer { get; private set; }

    /// <summary>
    /// Reads a 2xx to REGISTER. RFC 5626 §4.2.1 and §6: outbound is in use only when the registrar answered with the
    /// outbound option tag in Require — that is how it says it (and any edge proxy on the way, which put ;ob in its
    /// Path) will route requests over this flow. "outbound" in Supported alone says the registrar knows the
    /// extension but did not apply it (e.g. an edge proxy without outbound): the registration then works as without.
    /// </summary>
    /// <param name="response">The 2xx.</param>
    /// <param name="offered">Whether the REGISTER offered outbound (+sip.instance, reg-id and Supported: outbound).</param>
    public void OnRegistered(SipResponse response, bool offered)
    {
        InUse = offered && Requires(response);
        FlowTimer = ReadFlowTimer(response);
        if (!InUse)
        {
            StopWatch();
        }
    }

    /// <summary>The registration is no longer held (failure, a new flow, stop): nothing is in use until the next 2xx.</summary>
    public void Reset()
    {
        InUse = false;
        FlowTimer = null;
        StopWatch();
    }

    /// <summary>
    /// The keep-alive interval: the configured one (else <paramref name="fallback"/>), but, while outbound is in use, never
    /// longer than the registrar's Flow-Timer — §4.4.1: the UA MUST send keep-alives at least that often, even where
    /// the account's own keep-alive is off. Without outbound the Flow-Timer is only a default, as before.
    /// </summary>
    public TimeSpan KeepAlivePeriod(TimeSpan? configured, TimeSpan fallback)
    {
        TimeSpan period = configured ?? FlowTimer ?? fallback;
        if (InUse && FlowTimer is { } flowTimer && (period <= TimeSpan.Zero || period > flowTimer))
        {
            period = flowTimer;
        }

        return period;
    }

    /// <summary>A CRLF ping went out on <paramref name="flow"/>: over TCP/TLS with outbound in use, its pong is awaited (§4.4.1).</summary>
    public void OnPingSent(SipDestination flow)
    {
        if (InUse && flow.Protocol.IsStream() && _awaitingPong is null)
        {
            // A pong answers every ping before it (§4.4.1), so the deadline runs from the first unanswered one.
            _awaitingPong = flow;
            _pongDeadline.Start(PongTimeout);
        }
    }

    /// <summary>A pong arrived on <paramref name="flow"/>.</summary>
    public void OnPong(SipDestination flow)
    {
        if (_awaitingPong == flow)
        {
            StopWatch();
        }
    }

    public void Dispose() => _pongDeadline.Dispose();

    private static bool Requires(SipResponse response)
    {
        foreach (string tag in response.Headers.GetAll(SipHeaderNames.Require))
        {
            if (tag.AsSpan().Trim().Equals(OptionTag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan? ReadFlowTimer(SipResponse response) =>
        response.Headers.Get(FlowTimerHeader) is { } text &&
        uint.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private void StopWatch()
    {
        _awaitingPong = null;
        _pongDeadline.Cancel();
    }

    private void OnPongMissing()
    {
        if (_awaitingPong is { } flow)
        {
            _awaitingPong = null;
            _failed(flow);
        }
    }
}
