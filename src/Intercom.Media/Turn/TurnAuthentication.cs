using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// The long-term credential mechanism's state after the server's 401 (RFC 8489 §9.2): realm, nonce, the chosen password
/// algorithm and the key, and how requests carry them. Immutable: a 438 (Stale Nonce) makes a copy with the new nonce.
/// <list type="bullet">
/// <item>A 401 with PASSWORD-ALGORITHMS (§14.11): the first algorithm of the server's list the client knows (MD5,
/// SHA-256) becomes PASSWORD-ALGORITHM, the list is echoed, and the requests are signed with MESSAGE-INTEGRITY-SHA256:
/// the server speaks RFC 8489's long-term mechanism.</item>
/// <item>A 401 without it (coturn, RFC 5389 servers): the MD5 key and MESSAGE-INTEGRITY (HMAC-SHA1), unless the nonce
/// cookie says the server has password algorithms, which makes the missing list a downgrade: no retry (§9.2.5).</item>
/// <item>The nonce cookie's username-anonymity bit: USERHASH instead of USERNAME (§14.4).</item>
/// </list>
/// </summary>
internal sealed class TurnAuthentication
{
    private readonly byte[]? _offeredAlgorithms;

    private TurnAuthentication(string username, byte[]? userhash, string realm, string nonce, TurnPasswordAlgorithm algorithm,
        byte[]? offeredAlgorithms, byte[] key)
    {
        Username = username;
        Userhash = userhash;
        Realm = realm;
        Nonce = nonce;
        Algorithm = algorithm;
        _offeredAlgorithms = offeredAlgorithms;
        Key = key;
    }

    public string Username { get; }

    public byte[]? Userhash { get; }

    public string Realm { get; }

    public string Nonce { get; }

    public TurnPasswordAlgorithm Algorithm { get; }

    /// <summary>The server sent PASSWORD-ALGORITHMS: requests carry MESSAGE-INTEGRITY-SHA256.</summary>
    public bool UsesSha256Integrity => _offeredAlgorithms is not null;

    public byte[] Key { get; }

    /// <summary>
    /// The state for answering the 401 <paramref name="challenge"/> with <paramref name="credentials"/>; false with the
    /// reason when it cannot or must not be answered (no REALM/NONCE, a downgrade, no algorithm in common).
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> challenge, TurnCredentials credentials, out TurnAuthentication? authentication, out string failure)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        authentication = null;
        if (!TurnMessageReader.TryGetText(challenge, StunAttributeType.Realm, out string? realm)
            || !TurnMessageReader.TryGetText(challenge, StunAttributeType.Nonce, out string? nonce) || nonce!.Length == 0)
        {
            failure = "the 401 challenge carries no REALM or NONCE";
            return false;
        }

        int features = TurnNonceCookie.Features(nonce);
        byte[]? offered = null;
        TurnPasswordAlgorithm algorithm = TurnPasswordAlgorithm.Md5;
        if (TurnMessageReader.TryGet(challenge, StunAttributeType.PasswordAlgorithms, out ReadOnlySpan<byte> list))
        {
            if (!TryChoose(list, out algorithm))
            {
                failure = "the server offers no password algorithm this client knows (MD5, SHA-256)";
                return false;
            }

            offered = list.ToArray();
        }
        else if ((features & TurnNonceCookie.PasswordAlgorithmsBit) != 0)
        {
            failure = "the server's nonce announces password algorithms but its 401 lists none (a downgrade, RFC 8489 §9.2.5)";
            return false;
        }

        byte[]? userhash = (features & TurnNonceCookie.UsernameAnonymityBit) != 0
            ? SHA256.HashData(Encoding.UTF8.GetBytes($"{StunCredentials.Prepare(credentials.Username)}:{StunCredentials.Prepare(realm!)}"))
            : null;
        authentication = new TurnAuthentication(credentials.Username, userhash, realm!, nonce, algorithm, offered,
            DeriveKey(algorithm, credentials.Username, realm!, credentials.Password));
        failure = "";
        return true;
    }

    /// <summary>The long-term key (§9.2.2): the algorithm's hash of username ":" OpaqueString(realm) ":" OpaqueString(password).</summary>
    public static byte[] DeriveKey(TurnPasswordAlgorithm algorithm, string username, string realm, string password)
    {
        byte[] input = Encoding.UTF8.GetBytes($"{username}:{StunCredentials.Prepare(realm)}:{StunCredentials.Prepare(password)}");
        try
        {
            // MD5 is what the protocol specifies for this key (not a choice of ours); it keys an HMAC.
#pragma warning disable CA5351
            return algorithm == TurnPasswordAlgorithm.Sha256 ? SHA256.HashData(input) : MD5.HashData(input);
#pragma warning restore CA5351
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>The same credential with the nonce of a 438 (Stale Nonce) answer.</summary>
    public TurnAuthentication WithNonce(string nonce) =>
        new(Username, Userhash, Realm, nonce, Algorithm, _offeredAlgorithms, Key);

    /// <summary>Adds USERNAME (or USERHASH), REALM, NONCE, the algorithms and the integrity attribute, in that order.</summary>
    public void Write(ref StunMessageWriter writer, ReadOnlySpan<byte> buffer)
    {
        if (Userhash is not null)
        {
            writer.AddAttribute(StunAttributeType.Userhash, Userhash);
        }
        else
        {
            writer.AddUsername(Username);
        }

        writer.AddRealm(Realm);
        writer.AddNonce(Nonce);
        if (_offeredAlgorithms is not null)
        {
            writer.AddAttribute(StunAttributeType.PasswordAlgorithms, _offeredAlgorithms);
            var chosen = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(chosen, (ushort)Algorithm);
            BinaryPrimitives.WriteUInt16BigEndian(chosen[2..], 0);
            writer.AddAttribute(StunAttributeType.PasswordAlgorithm, chosen);
            TurnIntegrity.AddSha256(ref writer, buffer, Key);
        }
        else
        {
            writer.AddMessageIntegrity(Key);
        }
    }

    /// <summary>The first algorithm of a PASSWORD-ALGORITHMS value (§14.11: algorithm, parameters' length, parameters padded) this client knows.</summary>
    private static bool TryChoose(ReadOnlySpan<byte> list, out TurnPasswordAlgorithm algorithm)
    {
        int offset = 0;
        while (offset + 4 <= list.Length)
        {
            ushort number = BinaryPrimitives.ReadUInt16BigEndian(list[offset..]);
            int parameters = BinaryPrimitives.ReadUInt16BigEndian(list[(offset + 2)..]);
            if (number is (ushort)TurnPasswordAlgorithm.Md5 or (ushort)TurnPasswordAlgorithm.Sha256)
            {
                algorithm = (TurnPasswordAlgorithm)number;
                return true;
            }

            offset += 4 + ((parameters + 3) & ~3);
        }

        algorithm = TurnPasswordAlgorithm.Md5;
        return false;
    }
}
