using Intercom.Station.Calls;

namespace Intercom.Station.Codes;

/// <summary>Where digits are entered: one call, or the keypad. Failures and lockouts are counted per scope.</summary>
/// <param name="IsKeypad">True for the keypad; then <paramref name="Call"/> is unused.</param>
/// <param name="Call">The call the DTMF digits arrive on.</param>
internal readonly record struct CodeScope(bool IsKeypad, CallHandle Call)
{
    public static CodeScope Keypad => new(true, default);

    public static CodeScope ForCall(CallHandle call) => new(false, call);

    public override string ToString() => IsKeypad ? "keypad" : Call.ToString();
}
