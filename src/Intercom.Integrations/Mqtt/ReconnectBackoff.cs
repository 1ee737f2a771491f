namespace Intercom.Integrations.Mqtt;

/// <summary>
/// Delays between connection attempts: the first is the minimum, each failure doubles it up to the maximum, and a
/// success starts again from the minimum. Up to a quarter is taken off at random so that many stations behind one
/// broker restart do not all reconnect in the same second.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;
    private TimeSpan _next;

    /// <param name="min">First delay.</param>
    /// <param name="max">Largest delay.</param>
    /// <param name="random">Source of numbers in [0, 1) for the jitter; tests pass a constant.</param>
    public ReconnectBackoff(TimeSpan min, TimeSpan max, Func<double>? random = null)
    {
        if (min <= TimeSpan.Zero || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), "need 0 < min <= max");
        }

        _min = min;
        _max = max;
        _random = random ?? Random.Shared.NextDouble;
        _next = min;
    }

    /// <summary>The delay before the next attempt; the one after will be twice as long (up to the maximum).</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next * 2 > _max ? _max : _next * 2;
        var jittered = delay * (1 - (_random() / 4));
        return jittered < _min ? _min : jittered;
    }

    /// <summary>A connection succeeded: the next failure waits the minimum again.</summary>
    public void Reset() => _next = _min;
}
