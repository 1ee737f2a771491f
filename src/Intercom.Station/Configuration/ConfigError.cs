namespace Intercom.Station.Configuration;

/// <summary>One problem in the configuration: the field's path ("buttons[1].pin") and why it is wrong.</summary>
/// <param name="Path">JSON-style path of the field, camelCase as in the file.</param>
/// <param name="Reason">What is wrong, for a person.</param>
public sealed record ConfigError(string Path, string Reason)
{
    /// <summary>"path: reason", the form printed by check-config and the web page.</summary>
    public override string ToString() => $"{Path}: {Reason}";
}
