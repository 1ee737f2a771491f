using Intercom.Configuration;
using Intercom.Configuration.Applying;
using Intercom.Phone;

namespace Intercom.Hosting;

/// <summary>
/// Name, accounts, media, audio and how callers authenticate, applied without touching a call in progress: accounts
/// re-register, the next call uses the new account and media, the devices reopen between calls. The caller admission by
/// source is part of "station" but lives in the user agent, so a "station" change comes here too.
/// </summary>
internal sealed class CallsPart(StationApp app) : ILiveConfigPart
{
    public IReadOnlyCollection<string> LiveSections { get; } = [.. SipPhone.LiveSections, "station"];

    public Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff) => app.ReconfigureCallsAsync(config);
}
