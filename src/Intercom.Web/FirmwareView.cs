namespace Intercom.Web;

/// <summary>The station's firmware on the status page.</summary>
/// <param name="Version">The running binary's version.</param>
/// <param name="Release">The installed release running (intercom-VERSION-RID), or null for the packaged binary.</param>
/// <param name="OnTrial">True while that release has not yet become ready and registered after its update.</param>
/// <param name="RolledBack">A release that failed its trial and was rolled back from, until the next update.</param>
public sealed record FirmwareView(string Version, string? Release, bool OnTrial, string? RolledBack);
