using System.Runtime.InteropServices;
using Intercom.Web;
using Microsoft.Extensions.Logging;

namespace Intercom.Update;

/// <summary>
/// A firmware update from the page or the API: the upload's Ed25519 signature is checked against the release keys
/// before a byte of it is unpacked; the release is installed beside the running version (<see cref="ReleaseStore"/>);
/// the station then stops so its supervisor (systemd, through the launcher) starts the new version on trial. One update
/// at a time.
/// </summary>
internal sealed partial class FirmwareUpdater(ReleaseStore store, IReadOnlyList<byte[]> keys, Action restart, ILogger log)
{
    private int _busy;

    public ReleaseStore Store => store;

    public FirmwareUpdateResult Apply(ReadOnlyMemory<byte> archive, ReadOnlySpan<byte> signature, string requestedBy)
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            return FirmwareUpdateResult.Refused("another update is being installed");
        }

        try
        {
            if (!ReleaseSignature.VerifyAny(keys, archive.Span, signature))
            {
                LogRefused(log, requestedBy, "bad signature");
                return FirmwareUpdateResult.Refused("signature: not a release signed with a trusted key");
            }

            var name = store.Install(archive, RuntimeInformation.RuntimeIdentifier, IntercomCli.Version, out var error);
            if (name is null)
            {
                LogRefused(log, requestedBy, error!);
                return FirmwareUpdateResult.Refused(error!);
            }

            LogInstalled(log, name, requestedBy);
            restart();
            return FirmwareUpdateResult.Installed(name);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "firmware update from {By} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string by, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "firmware update {Release} installed by {By}: restarting into it (on trial until ready and registered)")]
    private static partial void LogInstalled(ILogger logger, string release, string by);
}
