namespace Intercom;

/// <summary>Process exit codes (DESIGN.md "External interfaces"); systemd and scripts rely on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public const int RuntimeFailure = 1;

    public const int BadArgumentsOrConfig = 2;
}
