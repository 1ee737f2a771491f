using System.Globalization;
using System.Net;
using Intercom.Sip.Messages;
using Intercom.Station.Configuration;

namespace Intercom.Configuration;

/// <summary>Checks a configuration as a whole; each error names the field and the reason.</summary>
public static class ConfigValidator
{
    private static readonly string[] Transports = ["udp", "tcp", "tls"];
    private static readonly string[] SrtpPolicies = ["off", "offered", "required", "dtls-srtp"];
    private static readonly string[] KeepaliveModes = ["auto", "crlf", "options", "off"];
    private static readonly string[] KnownCodecs = ["opus", "g722", "pcmu", "pcma"];
    private static readonly string[] InBandDtmfModes = ["auto", "always", "off"];

    /// <summary>
    /// Passwords and secrets copied from the documentation (the example configuration, the README), compared without
    /// case. Anyone who has read the documentation knows them.
    /// </summary>
    private static readonly string[] ExamplePasswords =
        ["change-me", "changeme", "change_me", "password", "secret", "admin", "1234", "12345678", "…", "...", "at least 16 characters"];

    /// <summary>Door codes from the documentation, or the first a guesser tries (a trailing '#' ignored).</summary>
    private static readonly string[] ExampleCodes = ["1234", "0000", "1111", "4321", "12345", "123456"];

    /// <summary>
    /// All problems found; empty when the configuration is usable. With <paramref name="runsForReal"/> (`intercom run`
    /// without --simulate, check-config without --simulate, saves on such a station) example secrets are refused too.
    /// </summary>
    public static IReadOnlyList<ConfigError> Validate(IntercomConfig config, bool runsForReal = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<ConfigError>();
        if (string.IsNullOrWhiteSpace(config.Name))
        {
            errors.Add(new("name", "must not be empty"));
        }

        ValidateSip(config.Sip, errors);
        ValidateAccounts(config.Accounts, errors);
        ValidateMedia(config.Media, errors);
        AudioConfigValidator.Validate(config.Audio, errors);
        ValidateWeb(config.Web, errors);
        foreach (var e in StationConfigValidator.Validate(config.Station))
        {
            errors.Add(new ConfigError("station." + e.Path, e.Reason));
        }

        IntegrationsConfigValidator.Validate(config, errors);
        ValidateIncomingAdmission(config, errors);
        ValidateRingGroupAccounts(config, errors);
        if (runsForReal)
        {
            ValidateNoExampleSecrets(config, errors);
        }

        return errors;
    }

    /// <summary>
    /// Auto-answer opens a call in which a code opens the door, so an allowlisted name alone must not be enough: the caller
    /// has to come through the registrar of an account that registers (the PBX authenticated it), from a network of
    /// station.incoming.sources, or answer the station's digest challenge (sip.incomingAuth). And an extension-only entry
    /// matches only callers through a registrar or a source network: with neither it could never match.
    /// </summary>
    private static void ValidateIncomingAdmission(IntercomConfig config, List<ConfigError> errors)
    {
        var incoming = config.Station.Incoming;
        if (!incoming.AutoAnswer || incoming.Allowlist.Count == 0)
        {
            return;
        }

        var registers = config.Accounts.Exists(a => a.Register);
        var sources = incoming.Sources.Count > 0;
        if (!registers && !sources && !config.Sip.IncomingAuth.Enabled)
        {
            errors.Add(new("station.incoming.autoAnswer", "would answer anyone who claims an allowlisted name: let callers in by where they come "
                + "from (an account that registers, station.incoming.sources) or make them authenticate (sip.incomingAuth)"));
            return;
        }

        if (!registers && !sources)
        {
            for (var i = 0; i < incoming.Allowlist.Count; i++)
            {
                var entry = incoming.Allowlist[i].Trim();
                if (!entry.Contains('@', StringComparison.Ordinal) && !entry.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add(new($"station.incoming.allowlist[{i}]", "an extension matches only callers through the registrar of an account that "
                        + "registers or from station.incoming.sources, and there is neither: give the whole URI (sip:user@host)"));
                }
            }
        }
    }

    /// <summary>A secret or code that is in the documentation opens the door to anyone who read it. The value is never echoed.</summary>
    private static void ValidateNoExampleSecrets(IntercomConfig config, List<ConfigError> errors)
    {
        const string Reason = "is an example value from the documentation: choose your own";
        for (var i = 0; i < config.Accounts.Count; i++)
        {
            Password(config.Accounts[i].Password, $"accounts[{i}].password");
            Password(config.Accounts[i].Nat.Turn.Password, $"accounts[{i}].nat.turn.password");
        }

        Password(config.Sip.IncomingAuth.Password, "sip.incomingAuth.password");
        Password(config.Mqtt.Password, "mqtt.password");
        for (var i = 0; i < config.Webhooks.Endpoints.Count; i++)
        {
            Password(config.Webhooks.Endpoints[i].Secret, $"webhooks.endpoints[{i}].secret");
        }

        Codes(config.Station.Codes, "station.codes");
        Codes(config.Station.Keypad.LocalCodes, "station.keypad.localCodes");

        void Password(string? value, string field)
        {
            if (value is not null && Array.Exists(ExamplePasswords, e => string.Equals(e, value.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new(field, Reason));
            }
        }

        void Codes(List<CodeConfig> codes, string list)
        {
            for (var i = 0; i < codes.Count; i++)
            {
                if (codes[i].Code is { } code && Array.IndexOf(ExampleCodes, code.TrimEnd('#')) >= 0)
                {
                    errors.Add(new($"{list}[{i}].code", Reason));
                }
            }
        }
    }

    private static void ValidateSip(SipConfig sip, List<ConfigError> errors)
    {
        if (sip.Listen.Count == 0)
        {
            errors.Add(new("sip.listen", "at least one listening point is needed"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sip.Listen.Count; i++)
        {
            var l = sip.Listen[i];
            var field = $"sip.listen[{i}]";
            OneOf(l.Transport, Transports, $"{field}.transport", errors);
            if (!IPAddress.TryParse(l.Address, out _))
            {
                errors.Add(new($"{field}.address", $"'{l.Address}' is not an IP address"));
            }

            if (l.Port is < 0 or > 65535)
            {
                errors.Add(new($"{field}.port", $"{l.Port} is not a port number (0-65535)"));
            }

            var key = $"{l.Transport}/{l.Address}/{l.Port}";
            if (l.Port != 0 && !seen.Add(key))
            {
                errors.Add(new(field, $"{l.Transport} {l.Address}:{l.Port} is listed twice"));
            }

            if (l.Transport == "tls" && string.IsNullOrEmpty(sip.Tls.CertificateFile))
            {
                errors.Add(new("sip.tls.certificateFile", $"a TLS listener ({field}) needs a certificate"));
            }
        }

        // RFC 3261 §17.1.1.1: T1 is the RTT estimate, T2 caps non-INVITE retransmission intervals; T2 below T1 makes no sense.
        ValidateRateLimit(sip.RateLimit, errors);
        ValidateRegistrationBackoff(sip.RegistrationBackoff, errors);
        ValidateIncomingAuth(sip.IncomingAuth, errors);
        Range(sip.Timers.T1Ms, 50, 10_000, "sip.timers.t1Ms", errors);
        Range(sip.Timers.T2Ms, 500, 60_000, "sip.timers.t2Ms", errors);
        Range(sip.Timers.T4Ms, 500, 60_000, "sip.timers.t4Ms", errors);
        if (sip.Timers.T2Ms < sip.Timers.T1Ms)
        {
            errors.Add(new("sip.timers.t2Ms", $"must not be smaller than t1Ms ({sip.Timers.T1Ms})"));
        }

        if (!string.IsNullOrEmpty(sip.Tls.CertificateFile) && string.IsNullOrEmpty(sip.Tls.PrivateKeyFile))
        {
            errors.Add(new("sip.tls.privateKeyFile", "a certificate needs its private key"));
        }

        // The stack loads the CA file whenever it is set, so it is checked whenever it is set.
        if (sip.Tls.CaFile is { } ca && !CertificateAuthorityFile.TryLoad(ca, out _, out var caError))
        {
            errors.Add(new("sip.tls.caFile", caError));
        }

        if (sip.Tls.PinnedFingerprint is { } pin && !IsSha256Fingerprint(pin))
        {
            errors.Add(new("sip.tls.pinnedFingerprint", "must be a SHA-256 fingerprint: 64 hex digits, colons allowed"));
        }
    }

    private static void ValidateIncomingAuth(SipIncomingAuthConfig auth, List<ConfigError> errors)
    {
        // Realm and username go into quoted-strings of challenges and credentials (RFC 3261 §25.1): printable, no quote or backslash.
        if (!IsQuotable(auth.Realm))
        {
            errors.Add(new("sip.incomingAuth.realm", "must be 1-64 printable characters without '\"' or '\\'"));
        }

        if (auth.Algorithms.Count == 0)
        {
            errors.Add(new("sip.incomingAuth.algorithms", "at least one of SHA-256, MD5 is needed"));
        }

        for (var i = 0; i < auth.Algorithms.Count; i++)
        {
            if (auth.Algorithms[i] is not ("SHA-256" or "MD5"))
            {
                errors.Add(new($"sip.incomingAuth.algorithms[{i}]", $"'{auth.Algorithms[i]}' is not one of SHA-256, MD5"));
            }
            else if (auth.Algorithms.IndexOf(auth.Algorithms[i]) != i)
            {
                errors.Add(new($"sip.incomingAuth.algorithms[{i}]", $"'{auth.Algorithms[i]}' is listed twice"));
            }
        }

        if (!auth.Enabled)
        {
            return;
        }

        if (auth.Username is null || !IsQuotable(auth.Username))
        {
            errors.Add(new("sip.incomingAuth.username", "needed when incoming authentication is enabled: 1-64 printable characters without '\"' or '\\'"));
        }

        if (auth.Password is not { Length: >= 8 })
        {
            errors.Add(new("sip.incomingAuth.password", "needed when incoming authentication is enabled: at least 8 characters"));
        }

        static bool IsQuotable(string? value) =>
            value is { Length: > 0 and <= 64 } && value.All(c => c is >= ' ' and <= '~' and not '"' and not '\\');
    }

    private static void ValidateRegistrationBackoff(SipRegistrationBackoffConfig backoff, List<ConfigError> errors)
    {
        // RFC 5626 §4.5 leaves both to the UA; below 1 s a registrar that is down would be hammered.
        Range(backoff.BaseSeconds, 1, 3600, "sip.registrationBackoff.baseSeconds", errors);
        Range(backoff.MaxSeconds, 1, 86_400, "sip.registrationBackoff.maxSeconds", errors);
        if (backoff.MaxSeconds is >= 1 and <= 86_400 && backoff.MaxSeconds < backoff.BaseSeconds)
        {
            errors.Add(new("sip.registrationBackoff.maxSeconds", $"must not be smaller than baseSeconds ({backoff.BaseSeconds})"));
        }
    }

    private static void ValidateRateLimit(SipRateLimitConfig limit, List<ConfigError> errors)
    {
        Range(limit.MessagesPerSecond, 1, 100_000, "sip.rateLimit.messagesPerSecond", errors);
        Range(limit.Burst, 1, 1_000_000, "sip.rateLimit.burst", errors);
        Range(limit.GlobalMessagesPerSecond, 1, 1_000_000, "sip.rateLimit.globalMessagesPerSecond", errors);
        Range(limit.RefusalBurst, 0, 1_000_000, "sip.rateLimit.refusalBurst", errors);
        Range(limit.BlockSeconds, 0, 86_400, "sip.rateLimit.blockSeconds", errors);
        // Each connection may hold a send queue and a receive buffer of up to a message or two: the total is what bounds
        // the memory a connection flood can take (see MemoryMax= in the unit).
        Range(limit.MaxConnectionsPerSource, 1, 1024, "sip.rateLimit.maxConnectionsPerSource", errors);
        Range(limit.MaxConnections, 1, 4096, "sip.rateLimit.maxConnections", errors);
        if (limit.MaxConnectionsPerSource is >= 1 and <= 1024 && limit.MaxConnections is >= 1 and <= 4096 && limit.MaxConnectionsPerSource > limit.MaxConnections)
        {
            errors.Add(new("sip.rateLimit.maxConnectionsPerSource", $"must not be larger than maxConnections ({limit.MaxConnections})"));
        }

        for (var i = 0; i < limit.Exempt.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(limit.Exempt[i], out _))
            {
                errors.Add(new($"sip.rateLimit.exempt[{i}]", $"'{limit.Exempt[i]}' is not an IP address"));
            }
        }
    }

    /// <summary>A ring group's calls go out through the account it names: a name no account has would fail every call.</summary>
    private static void ValidateRingGroupAccounts(IntercomConfig config, List<ConfigError> errors)
    {
        var groups = config.Station.RingGroups;
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i].Account is { } account && !config.Accounts.Exists(a => a.Id == account))
            {
                errors.Add(new($"station.ringGroups[{i}].account", $"no account \"{account}\""));
            }
        }
    }

    /// <summary>STUN servers one account may list (accounts[].nat.stun).</summary>
    public const int MaxStunServers = 8;

    private static void ValidateAccounts(List<SipAccountConfig> accounts, List<ConfigError> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < accounts.Count; i++)
        {
            var a = accounts[i];
            var field = $"accounts[{i}]";
            if (string.IsNullOrWhiteSpace(a.Id))
            {
                errors.Add(new($"{field}.id", "must not be empty"));
            }
            else if (!ids.Add(a.Id))
            {
                errors.Add(new($"{field}.id", $"'{a.Id}' is already used by another account"));
            }

            // The registration client and the calls parse these with SipUri and need a user in the AOR (RFC 3261
            // §10.2: the To of a REGISTER names a user); refusing here is what keeps a validated file from failing at start.
            if (SipUriError(a.Aor, requireUser: true) is { } aorError)
            {
                errors.Add(new($"{field}.aor", aorError));
            }

            if (a.Registrar is { Length: > 0 } registrar && SipUriError(registrar, requireUser: false) is { } registrarError)
            {
                errors.Add(new($"{field}.registrar", registrarError));
            }

            if (a.OutboundProxy is { Length: > 0 } proxy && SipUriError(proxy, requireUser: false) is { } proxyError)
            {
                errors.Add(new($"{field}.outboundProxy", proxyError));
            }

            OneOf(a.Transport, Transports, $"{field}.transport", errors);
            OneOf(a.Srtp, SrtpPolicies, $"{field}.srtp", errors);
            OneOf(a.Keepalive, KeepaliveModes, $"{field}.keepalive", errors);
            if (a.Srtp is "offered" or "required" && a.Transport != "tls")
            {
                // SDES keys travel in the SDP (RFC 4568 §8.3): over plain UDP/TCP anyone on the path could read them.
                errors.Add(new($"{field}.srtp", "SRTP keyed by SDES needs transport tls"));
            }

            // RFC 3261 §10.2.1.1: a registration shorter than a minute is usually refused with 423 anyway.
            Range(a.ExpiresSeconds, 60, 86_400, $"{field}.expiresSeconds", errors);
            Range(a.KeepaliveIntervalSeconds, 5, 3600, $"{field}.keepaliveIntervalSeconds", errors);
            if (a.Register && a.Password is null && a.Username is not null)
            {
                errors.Add(new($"{field}.password", "a username without a password cannot answer a digest challenge"));
            }

            ValidateNat(a.Nat, $"{field}.nat", errors);
        }
    }

    private static void ValidateNat(SipAccountNatConfig nat, string field, List<ConfigError> errors)
    {
        // Each call asks the servers in order within one 2 s bound: a long list only delays the warning.
        if (nat.Stun.Count > MaxStunServers)
        {
            errors.Add(new($"{field}.stun", $"at most {MaxStunServers} STUN servers"));
        }

        for (var i = 0; i < nat.Stun.Count; i++)
        {
            if (!StunServerUri.TryParse(nat.Stun[i], out _, out _, out var error))
            {
                errors.Add(new($"{field}.stun[{i}]", error!));
            }
        }

        ValidateTurn(nat.Turn, $"{field}.turn", errors);
    }

    /// <summary>TURN servers one account may list (accounts[].nat.turn.servers).</summary>
    public const int MaxTurnServers = 8;

    private static void ValidateTurn(SipAccountTurnConfig turn, string field, List<ConfigError> errors)
    {
        if (turn.Servers.Count > MaxTurnServers)
        {
            errors.Add(new($"{field}.servers", $"at most {MaxTurnServers} TURN servers"));
        }

        for (var i = 0; i < turn.Servers.Count; i++)
        {
            if (!TurnServerUri.TryParse(turn.Servers[i], out _, out _, out _, out var error))
            {
                errors.Add(new($"{field}.servers[{i}]", error!));
            }
        }

        // TURN servers relay only for a long-term credential (RFC 8656 §5): without one every Allocate ends in 401.
        if (turn.Servers.Count > 0 && string.IsNullOrWhiteSpace(turn.Username))
        {
            errors.Add(new($"{field}.username", "needed when TURN servers are listed"));
        }

        if (turn.Servers.Count > 0 && string.IsNullOrEmpty(turn.Password))
        {
            errors.Add(new($"{field}.password", "needed when TURN servers are listed"));
        }

        if (turn.Username is { } username && (username.Length > 256 || username.Any(char.IsControl)))
        {
            errors.Add(new($"{field}.username", "at most 256 characters, no control characters"));
        }
    }

    private static void ValidateMedia(MediaConfig media, List<ConfigError> errors)
    {
        Range(media.RtpPortMin, 1024, 65534, "media.rtpPortMin", errors);
        Range(media.RtpPortMax, 1025, 65535, "media.rtpPortMax", errors);
        // RFC 3550 §11: RTP on an even port, RTCP on the next; a call needs at least one pair.
        if (media.RtpPortMax - media.RtpPortMin < 1)
        {
            errors.Add(new("media.rtpPortMax", $"must leave room for at least one RTP/RTCP pair above rtpPortMin ({media.RtpPortMin})"));
        }

        if (media.Codecs.Count == 0)
        {
            errors.Add(new("media.codecs", "at least one codec is needed"));
        }

        for (var i = 0; i < media.Codecs.Count; i++)
        {
            OneOf(media.Codecs[i], KnownCodecs, $"media.codecs[{i}]", errors);
        }

        if (media.PtimeMs is not (10 or 20 or 30 or 40 or 60))
        {
            errors.Add(new("media.ptimeMs", $"{media.PtimeMs} is not one of 10, 20, 30, 40, 60"));
        }

        Range(media.MediaTimeoutSeconds, 0, 3600, "media.mediaTimeoutSeconds", errors);
        OneOf(media.InBandDtmf, InBandDtmfModes, "media.inBandDtmf", errors);
        // RFC 7587 §3.1.1: Opus runs from 6 to 510 kbit/s.
        Range(media.OpusBitrate, 6000, 510_000, "media.opusBitrate", errors);
    }

    private static void ValidateWeb(WebConfig web, List<ConfigError> errors)
    {
        if (!IPAddress.TryParse(web.Address, out _))
        {
            errors.Add(new("web.address", $"'{web.Address}' is not an IP address"));
        }

        // Port 0 takes a free port: only useful to tests, harmless elsewhere.
        Range(web.Port, 0, 65535, "web.port", errors);
        Range(web.SessionIdleMinutes, 1, 1440, "web.sessionIdleMinutes", errors);
        if (web.AllowedHosts.Count > WebHostNames.MaxAllowed)
        {
            errors.Add(new("web.allowedHosts", $"at most {WebHostNames.MaxAllowed} names"));
        }

        for (var i = 0; i < web.AllowedHosts.Count && i < WebHostNames.MaxAllowed; i++)
        {
            if (!WebHostNames.IsValid(web.AllowedHosts[i]))
            {
                errors.Add(new($"web.allowedHosts[{i}]", $"'{web.AllowedHosts[i]}' is not a host name (no port, scheme or wildcard)"));
            }
        }
        if (web.SipWebSocket && !web.Https && !web.SipWebSocketPlain)
        {
            errors.Add(new("web.sipWebSocket", "SIP over WebSocket needs HTTPS (wss); set web.sipWebSocketPlain to accept plain ws"));
        }

        if (!string.IsNullOrEmpty(web.CertificateFile) && string.IsNullOrEmpty(web.PrivateKeyFile))
        {
            errors.Add(new("web.privateKeyFile", "a certificate needs its private key"));
        }

        if (string.IsNullOrEmpty(web.CertificateFile) && !string.IsNullOrEmpty(web.PrivateKeyFile))
        {
            errors.Add(new("web.certificateFile", "a private key needs its certificate"));
        }
    }

    private static void OneOf(string value, string[] allowed, string field, List<ConfigError> errors)
    {
        if (Array.IndexOf(allowed, value) < 0)
        {
            errors.Add(new(field, $"'{value}' is not one of {string.Join(", ", allowed)}"));
        }
    }

    private static void Range(int value, int min, int max, string field, List<ConfigError> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture, $"{value} is outside {min}-{max}")));
        }
    }

    private static string? SipUriError(string? value, bool requireUser)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        if (!SipUri.TryParse(value, SipLimits.Default, out var uri, out var error))
        {
            return $"'{value}' is not a SIP URI ({error})";
        }

        if (!uri.IsSip)
        {
            return $"'{value}' is not a sip: or sips: URI";
        }

        return requireUser && string.IsNullOrEmpty(uri.User) ? $"'{value}' has no user part (sip:user@host)" : null;
    }

    private static bool IsSha256Fingerprint(string value)
    {
        var hex = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiHexDigit(c))
            {
                hex++;
            }
            else if (c != ':')
            {
                return false;
            }
        }

        return hex == 64;
    }
}
