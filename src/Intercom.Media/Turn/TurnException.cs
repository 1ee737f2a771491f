using System.Net;

namespace Intercom.Media.Turn;

/// <summary>
/// Why a TURN request failed, in words an installer can act on: the server's error (RFC 8656 §7.4, §19: the code, its
/// reason phrase and what it means here), no answer, or a refused TLS handshake. Never carries the password.
/// </summary>
public sealed class TurnException : Exception
{
    public TurnException()
    {
    }

    public TurnException(string message)
        : base(message)
    {
    }

    public TurnException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TurnException(string message, IPEndPoint? server, int? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Server = server;
        ErrorCode = errorCode;
    }

    /// <summary>The TURN server that answered (or did not).</summary>
    public IPEndPoint? Server { get; }

    /// <summary>The server's ERROR-CODE (300–699), when the failure was an error response.</summary>
    public int? ErrorCode { get; }
}
