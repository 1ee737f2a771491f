namespace Intercom.Configuration;

/// <summary>One reason a configuration is refused: the field's JSON path and why, e.g. "accounts[0].transport: must be udp, tcp or tls".</summary>
public sealed record ConfigError(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}
