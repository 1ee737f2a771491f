using System.Security.Cryptography;
using Intercom.Phone;
using Intercom.Station;

namespace Intercom.Hosting;

/// <summary>
/// What `intercom run` does before its first REGISTER, and what it leaves for after: the station registers as soon as the
/// SIP stack listens, and everything a registration does not need (sound devices, the media address, the door-station
/// logic, the web page, integrations, the last-good configuration copy) is built once the REGISTER is on its way.
/// Measured in the README's performance section (start → registered).
/// </summary>
internal static class StartupOrder
{
    /// <summary>
    /// Loads OpenSSL on a thread-pool thread while the main thread reads the configuration and builds the SIP stack:
    /// the first random number (the transaction branch, RFC 3261 §8.1.1.7) and the digest answer to the registrar's
    /// challenge (MD5, §22.4) both wait for it, and loading it costs as much as everything else before the REGISTER.
    /// </summary>
    public static void WarmUpCryptography() =>
        ThreadPool.UnsafeQueueUserWorkItem(static _ =>
        {
            Span<byte> scratch = stackalloc byte[16];
            RandomNumberGenerator.Fill(scratch);
#pragma warning disable CA5351 // not a use of MD5: it loads the digest that RFC 2617/3261 §22.4 authentication will call.
            MD5.HashData(scratch, scratch);
#pragma warning restore CA5351
        }, null);

    /// <summary>
    /// Connects registrations started before the station existed to it: each account's change goes onto the station's
    /// event bus as a typed event (event log, page, MQTT, webhooks) and the station's status follows (LEDs). Runs on the
    /// SIP loop, where the phone raises its changes, so the current state is reported first and no change is lost or
    /// reordered in between.
    /// </summary>
    public static void ReportRegistrations(SipPhone phone, DoorStation station) =>
        phone.Sip.Loop.Post(() =>
        {
            foreach (var change in phone.RegistrationStates)
            {
                station.ReportRegistration(AccountRegistrationEvents.ToStationEvent(change));
            }

            phone.RegistrationChanged += change => station.ReportRegistration(AccountRegistrationEvents.ToStationEvent(change));
        });
}
