namespace Intercom.Web;

/// <summary>What became of an uploaded release: installed (the station restarts into it) or refused, and why.</summary>
public sealed record FirmwareUpdateResult(bool Accepted, string? Release, string? Error)
{
    public static FirmwareUpdateResult Installed(string release) => new(true, release, null);

    public static FirmwareUpdateResult Refused(string error) => new(false, null, error);
}
