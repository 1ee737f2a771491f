using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>The error responses of RFC 8489 §14.8 and RFC 8656 §19, explained for the request they answered.</summary>
internal static class TurnErrors
{
    public static TurnException FromResponse(IPEndPoint server, StunMethod method, int code, string reason, string? username)
    {
        string meaning = code switch
        {
            300 => "the server redirects to another server (ALTERNATE-SERVER)",
            400 => "the server could not understand the request",
            401 => $"the username '{username}' or its password is wrong for this server",
            403 => method == StunMethod.Allocate
                ? "the server forbids this account to allocate a relay"
                : "the server forbids relaying to this peer address (a denied address range, or the peer's family)",
            420 => "the server does not know an attribute the request needs",
            437 => method == StunMethod.Allocate
                ? "an allocation already exists for this client address and port (from an earlier run); it expires by itself, or use another local port"
                : "the server has no allocation for this client any more (it expired or was deleted)",
            438 => "the server kept answering that the nonce is stale",
            440 => "the server cannot relay in the address family asked for",
            441 => "the credentials differ from those the allocation was made with",
            442 => "the server does not relay UDP",
            443 => "the peer's address family differs from the relayed address's",
            446 => "the peer is already bound to another channel, or the channel to another peer",
            486 => "this account has as many allocations as the server allows; close some or wait for them to expire",
            500 => "the server failed (a temporary error)",
            508 => "the server has no relayed address, port or channel left (insufficient capacity)",
            _ => "",
        };

        string text = reason.Length > 0 ? $"{code} {reason}" : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string message = meaning.Length > 0
            ? $"TURN server {server} refused {Name(method)}: {text}: {meaning}"
            : $"TURN server {server} refused {Name(method)}: {text}";
        return new TurnException(message, server, code);
    }

    public static TurnException NoAnswer(IPEndPoint server, StunMethod method, string detail) =>
        new($"no answer from TURN server {server} to {Name(method)} ({detail})", server, null);

    public static TurnException Failed(IPEndPoint server, StunMethod method, string why) =>
        new($"TURN server {server}: {Name(method)} failed: {why}", server, null);

    public static string Name(StunMethod method) => method switch
    {
        StunMethod.Allocate => "Allocate",
        StunMethod.Refresh => "Refresh",
        StunMethod.CreatePermission => "CreatePermission",
        StunMethod.ChannelBind => "ChannelBind",
        _ => $"method 0x{(ushort)method:x3}",
    };
}
