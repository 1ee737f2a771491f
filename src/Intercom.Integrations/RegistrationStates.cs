using Intercom.Station.Events;

namespace Intercom.Integrations;

/// <summary>
/// An account's registration state as MQTT (PREFIX/registration/ACCOUNT/state, Home Assistant's enum sensor) and the
/// "registration" event's "state" spell it: stable snake_case words, whatever the log line says.
/// </summary>
public static class RegistrationStates
{
    /// <summary>Every value, in the order of <see cref="AccountRegistrationState"/> (Home Assistant's options).</summary>
    public static IReadOnlyList<string> All { get; } =
        ["unregistered", "registering", "registered", "retrying", "authentication_failed", "unregistering", "stopped"];

    /// <summary>The word for <paramref name="state"/>.</summary>
    public static string Of(AccountRegistrationState state) =>
        (int)state >= 0 && (int)state < All.Count ? All[(int)state] : All[0];
}
