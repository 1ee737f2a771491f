using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intercom.Configuration;

namespace Intercom.Web.Security;

/// <summary>
/// The admin password hash and the API token hashes, in a file beside the configuration, written atomically with mode
/// 0600. A state file that exists but cannot be read locks the page (no login, no first-start setup) instead of being
/// taken for "no password yet": a corrupt file must not reopen the first-start door to anyone on the network.
/// </summary>
internal sealed class WebStateStore
{
    private const int MaxTokens = 32;
    private const int MaxFileBytes = 256 * 1024;
    private const string TokenPrefix = "ict_";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, DateTimeOffset> _lastUsed = new(StringComparer.Ordinal);
    private WebState _state = new();

    public WebStateStore(string path, TimeProvider time)
    {
        Path = path;
        _time = time;
        Load();
    }

    public string Path { get; }

    /// <summary>Why the state file could not be read, or null.</summary>
    public string? LoadError { get; private set; }

    public bool SetupRequired
    {
        get { lock (_gate) { return LoadError is null && _state.Admin is null; } }
    }

    /// <summary>Sets the first password; false when one is already set (or the state file is unreadable).</summary>
    public bool TrySetInitialPassword(string password)
    {
        var hash = PasswordHasher.Hash(password);
        lock (_gate)
        {
            if (LoadError is not null || _state.Admin is not null)
            {
                return false;
            }

            _state.Admin = hash;
            SaveLocked();
            return true;
        }
    }

    /// <summary>
    /// The physical reset (docs/security.md): no admin password and no API token any more, saved at once; a state file
    /// that could not be read is replaced by the empty one. Setup is required again.
    /// </summary>
    public void ResetAdmin()
    {
        lock (_gate)
        {
            _state = new WebState();
            _lastUsed.Clear();
            SaveLocked();
            LoadError = null;
        }
    }

    public bool VerifyPassword(string password)
    {
        PasswordHash? admin;
        lock (_gate)
        {
            admin = _state.Admin;
        }

        return admin is not null && PasswordHasher.Verify(password, admin);
    }

    public void ChangePassword(string password)
    {
        var hash = PasswordHasher.Hash(password);
        lock (_gate)
        {
            _state.Admin = hash;
            SaveLocked();
        }
    }

    /// <summary>Creates a token; the clear text is returned once and never stored.</summary>
    public (StoredToken Stored, string Token)? CreateToken(string name, List<string> scopes)
    {
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var stored = new StoredToken
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            Name = name,
            Sha256 = Sha256Hex(token),
            CreatedAt = _time.GetUtcNow(),
            Scopes = scopes,
        };
        lock (_gate)
        {
            if (_state.Tokens.Count >= MaxTokens)
            {
                return null;
            }

            _state.Tokens.Add(stored);
            SaveLocked();
        }

        return (stored, token);
    }

    public bool RevokeToken(string id)
    {
        lock (_gate)
        {
            var removed = _state.Tokens.RemoveAll(t => t.Id == id) > 0;
            if (removed)
            {
                _lastUsed.Remove(id);
                SaveLocked();
            }

            return removed;
        }
    }

    public IReadOnlyList<(StoredToken Token, DateTimeOffset? LastUsed)> Tokens()
    {
        lock (_gate)
        {
            var list = new List<(StoredToken, DateTimeOffset?)>(_state.Tokens.Count);
            foreach (var t in _state.Tokens)
            {
                list.Add((t, _lastUsed.TryGetValue(t.Id, out var at) ? at : null));
            }

            return list;
        }
    }

    /// <summary>The token's record when <paramref name="token"/> is a live token (compared in fixed time).</summary>
    public StoredToken? FindToken(ReadOnlySpan<char> token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }

        var presented = Encoding.ASCII.GetBytes(Sha256Hex(token));
        lock (_gate)
        {
            StoredToken? found = null;
            foreach (var t in _state.Tokens)
            {
                if (CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(t.Sha256)))
                {
                    found = t;
                }
            }

            if (found is not null)
            {
                // Kept in memory only: an SD card should not be written at every API call.
                _lastUsed[found.Id] = _time.GetUtcNow();
            }

            return found;
        }
    }

    private static string Sha256Hex(ReadOnlySpan<char> token)
    {
        Span<byte> bytes = stackalloc byte[128];
        var length = Encoding.ASCII.GetBytes(token, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes[..length]));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private void Load()
    {
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                return;
            }

            if (info.Length > MaxFileBytes)
            {
                LoadError = $"{Path} is larger than {MaxFileBytes} bytes";
                return;
            }

            _state = JsonSerializer.Deserialize(File.ReadAllBytes(Path), WebJsonContext.Default.WebState) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            LoadError = $"cannot read {Path}: {e.Message}";
        }
    }

    private void SaveLocked() => ConfigStore.WriteAtomically(Path, JsonSerializer.SerializeToUtf8Bytes(_state, WebJsonContext.Default.WebState));
}
