namespace Intercom.Station.Configuration;

/// <summary>An access code and the relay it opens. Codes are secrets: never logged, never echoed in errors.</summary>
public sealed class CodeConfig
{
    /// <summary>At least 4 of 0-9 * # A-D; '#' only as the last character (it ends an attempt).</summary>
    public string Code { get; set; } = "";

    /// <summary>Id of the relay it opens.</summary>
    public string Relay { get; set; } = "door";
}
