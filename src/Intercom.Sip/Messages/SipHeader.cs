namespace Intercom.Sip.Messages;

/// <summary>One header field line: the name as received (possibly compact, any case) and the unfolded value.</summary>
public readonly record struct SipHeader(string Name, string Value);
