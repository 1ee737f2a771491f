using SharpFuzz;

namespace Intercom.Fuzz;

/// <summary>The fuzz targets by name; one file per target.</summary>
internal static class FuzzTargets
{
    private static readonly (string Name, ReadOnlySpanAction Run)[] Targets =
    [
        ("sip", SipFuzzTarget.Run),
        ("sdp", SdpFuzzTarget.Run),
        ("rtp", RtpFuzzTarget.Run),
        ("srtp", SrtpFuzzTarget.Run),
        ("dtmf", DtmfFuzzTarget.Run),
        ("stun", StunFuzzTarget.Run),
        ("dtls", DtlsFuzzTarget.Run),
        ("turn", TurnFuzzTarget.Run),
        ("config", ConfigFuzzTarget.Run),
    ];

    public static IEnumerable<string> Names => Targets.Select(t => t.Name);

    public static ReadOnlySpanAction? Find(string name)
    {
        foreach ((string n, ReadOnlySpanAction run) in Targets)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                return run;
            }
        }

        return null;
    }
}
