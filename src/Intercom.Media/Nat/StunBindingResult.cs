using System.Net;

namespace Intercom.Media.Nat;

/// <summary>What a Binding transaction learned: the reflexive (public) address and the server that saw it, or why not.</summary>
public sealed record StunBindingResult
{
    /// <summary>The transport address the server saw the request come from (XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS).</summary>
    public IPEndPoint? MappedAddress { get; init; }

    /// <summary>The server that answered, or the last one tried.</summary>
    public IPEndPoint? Server { get; init; }

    /// <summary>Why no address was learned (no answer, an error response, a response without an address); null on success.</summary>
    public string? Failure { get; init; }

    /// <summary>The ERROR-CODE of an error response (§14.8), if that was the failure.</summary>
    public int? ErrorCode { get; init; }

    /// <summary>True when <see cref="MappedAddress"/> is set.</summary>
    public bool Succeeded => MappedAddress is not null;

    public static StunBindingResult Mapped(IPEndPoint address, IPEndPoint server) => new() { MappedAddress = address, Server = server };

    public static StunBindingResult Failed(string reason, IPEndPoint? server = null, int? errorCode = null) =>
        new() { Failure = reason, Server = server, ErrorCode = errorCode };
}
