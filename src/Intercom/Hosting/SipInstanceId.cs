using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// The station's RFC 5626 §4.1 instance id: a urn:uuid that names this station (not an account, not a network address)
/// and stays the same across restarts, so that a registrar replaces the station's own binding instead of piling up new
/// ones. Generated once (a random UUID) and kept in the state directory beside the configuration, as web-state.json is:
/// every station, also several on one machine (the tests, a container host), gets its own, and a factory reset that
/// clears the directory makes a new station. Where that directory cannot be written, the id is derived from
/// /etc/machine-id (a name-based UUID, RFC 9562 §5.5, under a namespace of ours: the machine id itself is not exposed,
/// as machine-id(5) asks), which is just as stable; with neither, no account offers outbound.
/// </summary>
internal static partial class SipInstanceId
{
    /// <summary>The file in the state directory.</summary>
    public const string FileName = "sip-instance-id";

    // A fixed namespace for name-based instance ids (a random UUID chosen once for this purpose).
    private static readonly Guid Namespace = new("5d0c7b2e-6a1f-4b8e-9c3d-2e7f1a4b6c8d");

    /// <summary>The kept id (created on first use) in <paramref name="stateDirectory"/>, else the machine's, else null.</summary>
    public static string? Load(string? stateDirectory, ILogger log, string machineIdFile = "/etc/machine-id")
    {
        if (stateDirectory is not null)
        {
            var path = Path.Combine(stateDirectory, FileName);
            try
            {
                if (File.Exists(path) && Parse(File.ReadAllText(path)) is { } kept)
                {
                    return kept;
                }

                var created = "urn:uuid:" + Guid.NewGuid().ToString("D");
                var temporary = path + ".tmp";
                File.WriteAllText(temporary, created + "\n");
                File.Move(temporary, path, overwrite: true);
                return created;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogNotKept(log, path, e.Message);
            }
        }

        return FromMachineId(machineIdFile);
    }

    /// <summary>RFC 9562 §5.5 (version 5) of the machine id under our namespace, or null without a machine id.</summary>
    internal static string? FromMachineId(string machineIdFile)
    {
        string machineId;
        try
        {
            machineId = File.ReadAllText(machineIdFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (machineId.Length == 0)
        {
            return null;
        }

        Span<byte> input = stackalloc byte[16 + Encoding.ASCII.GetByteCount(machineId)];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.ASCII.GetBytes(machineId, input[16..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 9562 §5.5 defines version 5 with SHA-1; it names, it does not protect.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash[..16], bigEndian: true).ToString("D");
    }

    private static string? Parse(string text)
    {
        var trimmed = text.Trim();
        return trimmed.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) && Guid.TryParseExact(trimmed["urn:uuid:".Length..], "D", out var id)
            ? "urn:uuid:" + id.ToString("D")
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP instance id not kept in {Path} ({Reason}): derived from the machine id instead")]
    private static partial void LogNotKept(ILogger logger, string path, string reason);
}
