namespace Intercom.Sip.Messages;

/// <summary>Method names the stack knows (RFC 3261 §7.1 and the extensions listed per constant). Methods are case-sensitive.</summary>
public static class SipMethods
{
    /// <summary>RFC 3261 §13: starts a session.</summary>
    public const string Invite = "INVITE";
    /// <summary>RFC 3261 §13.2.2.4: acknowledges a final response to INVITE.</summary>
    public const string Ack = "ACK";
    /// <summary>RFC 3261 §15: ends a session.</summary>
    public const string Bye = "BYE";
    /// <summary>RFC 3261 §9: cancels a pending request.</summary>
    public const string Cancel = "CANCEL";
    /// <summary>RFC 3261 §11: queries capabilities.</summary>
    public const string Options = "OPTIONS";
    /// <summary>RFC 3261 §10: binds a contact to an address of record.</summary>
    public const string Register = "REGISTER";
    /// <summary>RFC 3262: acknowledges a reliable provisional response.</summary>
    public const string Prack = "PRACK";
    /// <summary>RFC 3311: updates session parameters before the final response.</summary>
    public const string Update = "UPDATE";
    /// <summary>RFC 6086: carries application information inside a dialog (e.g. DTMF).</summary>
    public const string Info = "INFO";
    /// <summary>RFC 6665: requests event notifications.</summary>
    public const string Subscribe = "SUBSCRIBE";
    /// <summary>RFC 6665: delivers an event notification.</summary>
    public const string Notify = "NOTIFY";
    /// <summary>RFC 3515: asks the recipient to send a request (call transfer).</summary>
    public const string Refer = "REFER";
    /// <summary>RFC 3428: instant message.</summary>
    public const string Message = "MESSAGE";
    /// <summary>RFC 3903: publishes event state.</summary>
    public const string Publish = "PUBLISH";

    /// <summary>True for the methods named here (the ones RFC 3261 and the listed extensions define).</summary>
    public static bool IsKnown(string method) => method is Invite or Ack or Bye or Cancel or Options or Register or Prack or Update or Info
        or Subscribe or Notify or Refer or Message or Publish;

    /// <summary>Returns the constant for a known method (as chars), so parsed messages share the string.</summary>
    internal static string? Known(ReadOnlySpan<char> method) => method switch
    {
        Invite => Invite,
        Ack => Ack,
        Bye => Bye,
        Cancel => Cancel,
        Options => Options,
        Register => Register,
        Prack => Prack,
        Update => Update,
        Info => Info,
        Subscribe => Subscribe,
        Notify => Notify,
        Refer => Refer,
        Message => Message,
        Publish => Publish,
        _ => null,
    };

    /// <summary>Returns the interned constant for a known method so parsed messages share the string.</summary>
    internal static string? Known(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("INVITE"u8) => Invite,
        _ when method.SequenceEqual("ACK"u8) => Ack,
        _ when method.SequenceEqual("BYE"u8) => Bye,
        _ when method.SequenceEqual("CANCEL"u8) => Cancel,
        _ when method.SequenceEqual("OPTIONS"u8) => Options,
        _ when method.SequenceEqual("REGISTER"u8) => Register,
        _ when method.SequenceEqual("PRACK"u8) => Prack,
        _ when method.SequenceEqual("UPDATE"u8) => Update,
        _ when method.SequenceEqual("INFO"u8) => Info,
        _ when method.SequenceEqual("SUBSCRIBE"u8) => Subscribe,
        _ when method.SequenceEqual("NOTIFY"u8) => Notify,
        _ when method.SequenceEqual("REFER"u8) => Refer,
        _ when method.SequenceEqual("MESSAGE"u8) => Message,
        _ when method.SequenceEqual("PUBLISH"u8) => Publish,
        _ => null,
    };
}
