using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Transport;

/// <summary>
/// RFC 3263 server location: turns a SIP URI's host, port and transport into an ordered list of destinations
/// (NAPTR → SRV → A/AAAA), so the transaction user can try the next one on a transport error, a timeout or a 503
/// (RFC 3263 §4.3). DNS goes through DnsClient; a numeric host or an explicit port short-circuits the lookups (§4.1, §4.2).
/// Not on the SIP loop's hot path: callers await it and post the result back to the loop.
/// </summary>
public sealed class SipServerLocator
{
    private readonly Lazy<ILookupClient> _dns;
    private readonly SipServerLocatorOptions _options;
    private readonly Random _random;

    /// <summary>Creates a locator.</summary>
    /// <param name="dns">The resolver (a DnsClient LookupClient).</param>
    /// <param name="options">Transport preference and address family choices.</param>
    /// <param name="random">Source for the RFC 2782 weighted choice among SRV records of equal priority; seeded in tests.</param>
    public SipServerLocator(ILookupClient dns, SipServerLocatorOptions? options = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = new Lazy<ILookupClient>(() => dns);
        _options = options ?? new SipServerLocatorOptions();
        _random = random ?? Random.Shared;
    }

    /// <summary>
    /// Creates a locator whose resolver is made on the first name that needs DNS. A LookupClient reads the system's name
    /// servers from every network interface when it is made (milliseconds, and code the process otherwise never runs);
    /// a station whose registrar and proxy are IP addresses never needs one.
    /// </summary>
    /// <param name="dns">Makes the resolver, at most once.</param>
    /// <param name="options">Transport preference and address family choices.</param>
    public SipServerLocator(Func<ILookupClient> dns, SipServerLocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = new Lazy<ILookupClient>(dns, LazyThreadSafetyMode.ExecutionAndPublication);
        _options = options ?? new SipServerLocatorOptions();
        _random = Random.Shared;
    }

    /// <summary>
    /// Locates the servers for a SIP or SIPS URI (RFC 3263 §4): maddr wins over the host, the transport parameter and port
    /// are honoured, and sips allows only TLS.
    /// </summary>
    /// <returns>Destinations in the order to try; empty when nothing resolves or the transport is unknown.</returns>
    public Task<IReadOnlyList<SipDestination>> LocateAsync(SipUri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        SipTransportProtocol? transport = null;
        if (uri.Transport is { } token)
        {
            if (!SipTransportProtocolExtensions.TryParseSipTransport(token, out var parsed))
            {
                return Task.FromResult<IReadOnlyList<SipDestination>>([]);
            }

            // sips with transport=tcp means TLS over TCP (RFC 3261 §26.2.2).
            transport = uri.IsSecure && parsed == SipTransportProtocol.Tcp ? SipTransportProtocol.Tls : parsed;
        }

        return LocateAsync(uri.MAddr ?? uri.Host, uri.Port, transport, uri.IsSecure, cancellationToken);
    }

    /// <summary>
    /// Locates the servers for a target.
    /// </summary>
    /// <param name="host">The host part of the URI (or its maddr); an IPv6 reference may keep its brackets.</param>
    /// <param name="port">An explicit port from the URI, or null.</param>
    /// <param name="transport">The URI's transport parameter, or null.</param>
    /// <param name="secure">True for a sips URI: only TLS is acceptable (RFC 3263 §4.1).</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    /// <returns>Destinations in the order to try; empty when nothing resolves.</returns>
    public async Task<IReadOnlyList<SipDestination>> LocateAsync(
        string host,
        int? port,
        SipTransportProtocol? transport,
        bool secure,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (secure && transport is SipTransportProtocol.Udp)
        {
            // sips over UDP does not exist (RFC 3261 §26.2.2).
            return [];
        }

        if (secure)
        {
            transport = SipTransportProtocol.Tls;
        }

        var results = new List<SipDestination>();
        var bare = host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var address))
        {
            // RFC 3263 §4.1/§4.2: a numeric host uses the URI's transport (or UDP, TLS for sips) and port (or default).
            var numericTransport = transport ?? SipTransportProtocol.Udp;
            if (IsSupported(numericTransport))
            {
                results.Add(new SipDestination(numericTransport, new IPEndPoint(address, port ?? numericTransport.DefaultPort()), null));
            }

            return results;
        }

        if (port is int explicitPort)
        {
            // §4.2: an explicit port means no SRV: only A/AAAA.
            var t = transport ?? SipTransportProtocol.Udp;
            if (IsSupported(t))
            {
                await AddAddressesAsync(results, bare, explicitPort, t, host, null, cancellationToken).ConfigureAwait(false);
            }

            return results;
        }

        if (transport is SipTransportProtocol known)
        {
            // §4.2: a transport but no port: SRV for that transport, else A/AAAA at the default port.
            if (IsSupported(known) && !await AddSrvAsync(results, SrvName(known, bare), known, bare, cancellationToken).ConfigureAwait(false))
            {
                await AddAddressesAsync(results, bare, known.DefaultPort(), known, bare, null, cancellationToken).ConfigureAwait(false);
            }

            return results;
        }

        // §4.1: no transport, no port, a name: NAPTR first.
        if (await AddNaptrAsync(results, bare, secure, cancellationToken).ConfigureAwait(false))
        {
            return results;
        }

        // No usable NAPTR: SRV for each transport we support, in our order of preference.
        foreach (var t in _options.Transports)
        {
            await AddSrvAsync(results, SrvName(t, bare), t, bare, cancellationToken).ConfigureAwait(false);
        }

        if (results.Count == 0)
        {
            // No SRV either: A/AAAA, UDP (TLS for sips) at the default port.
            var fallback = secure ? SipTransportProtocol.Tls : SipTransportProtocol.Udp;
            if (IsSupported(fallback))
            {
                await AddAddressesAsync(results, bare, fallback.DefaultPort(), fallback, bare, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return results;
    }

    private bool IsSupported(SipTransportProtocol transport)
    {
        foreach (var t in _options.Transports)
        {
            if (t == transport)
            {
                return true;
            }
        }

        return false;
    }

    private static string SrvName(SipTransportProtocol transport, string domain) => transport switch
    {
        SipTransportProtocol.Udp => "_sip._udp." + domain,
        SipTransportProtocol.Tcp => "_sip._tcp." + domain,
        _ => "_sips._tcp." + domain,
    };

    private static SipTransportProtocol? NaptrTransport(string services) =>
        services.ToUpperInvariant() switch
        {
            "SIP+D2U" => SipTransportProtocol.Udp,
            "SIP+D2T" => SipTransportProtocol.Tcp,
            "SIPS+D2T" => SipTransportProtocol.Tls,
            _ => null,
        };

    private async Task<bool> AddNaptrAsync(List<SipDestination> results, string domain, bool secure, CancellationToken ct)
    {
        var response = await QueryAsync(domain, QueryType.NAPTR, ct).ConfigureAwait(false);
        if (response is null)
        {
            return false;
        }

        var usable = new List<(NAPtrRecord Record, SipTransportProtocol Transport)>();
        foreach (var answer in response.Answers)
        {
            if (answer is not NAPtrRecord record)
            {
                continue;
            }

            // RFC 3263 §4.1: SIP NAPTRs are terminal "s" records whose replacement is an SRV name; a sips URI only uses SIPS+D2T.
            if (!string.Equals(record.Flags, "s", StringComparison.OrdinalIgnoreCase)
                || NaptrTransport(record.Services) is not SipTransportProtocol t
                || !IsSupported(t)
                || (secure && t != SipTransportProtocol.Tls))
            {
                continue;
            }

            usable.Add((record, t));
        }

        if (usable.Count == 0)
        {
            return false;
        }

        usable.Sort(static (a, b) => a.Record.Order != b.Record.Order
            ? a.Record.Order.CompareTo(b.Record.Order)
            : a.Record.Preference.CompareTo(b.Record.Preference));
        foreach (var (record, transport) in usable)
        {
            await AddSrvAsync(results, TrimDot(record.Replacement.Value), transport, domain, ct).ConfigureAwait(false);
        }

        return true;
    }

    private async Task<bool> AddSrvAsync(List<SipDestination> results, string srvName, SipTransportProtocol transport, string domain, CancellationToken ct)
    {
        var response = await QueryAsync(srvName, QueryType.SRV, ct).ConfigureAwait(false);
        if (response is null)
        {
            return false;
        }

        var records = new List<SrvRecord>(response.Answers.SrvRecords());
        if (records.Count == 0)
        {
            return false;
        }

        foreach (var srv in OrderSrv(records))
        {
            var target = TrimDot(srv.Target.Value);
            if (target.Length == 0)
            {
                // RFC 2782: a target of "." says the service is decidedly not available here.
                continue;
            }

            // RFC 5922 §4: TLS validates against the domain we looked up, not the SRV target.
            await AddAddressesAsync(results, target, srv.Port, transport, domain, response, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>RFC 2782 ordering: ascending priority; within one priority, a weighted random draw without replacement.</summary>
    private List<SrvRecord> OrderSrv(List<SrvRecord> records)
    {
        records.Sort(static (a, b) => a.Priority.CompareTo(b.Priority));
        var ordered = new List<SrvRecord>(records.Count);
        var start = 0;
        while (start < records.Count)
        {
            var end = start;
            while (end < records.Count && records[end].Priority == records[start].Priority)
            {
                end++;
            }

            var group = records.GetRange(start, end - start);

            // Zero-weight records first so they get a small chance, as RFC 2782 suggests.
            group.Sort(static (a, b) => (a.Weight == 0 ? 0 : 1).CompareTo(b.Weight == 0 ? 0 : 1));
            while (group.Count > 0)
            {
                var total = 0;
                foreach (var r in group)
                {
                    total += r.Weight;
                }

                var pick = _random.Next(total + 1);
                var index = 0;
                var running = 0;
                for (; index < group.Count - 1; index++)
                {
                    running += group[index].Weight;
                    if (running >= pick)
                    {
                        break;
                    }
                }

                ordered.Add(group[index]);
                group.RemoveAt(index);
            }

            start = end;
        }

        return ordered;
    }

    private async Task AddAddressesAsync(
        List<SipDestination> results,
        string host,
        int port,
        SipTransportProtocol transport,
        string serverName,
        IDnsQueryResponse? withAdditionals,
        CancellationToken ct)
    {
        var v4 = new List<IPAddress>();
        var v6 = new List<IPAddress>();
        if (withAdditionals is not null)
        {
            CollectAddresses(withAdditionals.Additionals, host, v4, v6);
        }

        if (v4.Count == 0 && v6.Count == 0)
        {
            if (await QueryAsync(host, QueryType.A, ct).ConfigureAwait(false) is { } a)
            {
                CollectAddresses(a.Answers, null, v4, v6);
            }

            if (_options.UseIPv6 && await QueryAsync(host, QueryType.AAAA, ct).ConfigureAwait(false) is { } aaaa)
            {
                CollectAddresses(aaaa.Answers, null, v4, v6);
            }
        }

        if (!_options.UseIPv6)
        {
            v6.Clear();
        }

        var first = _options.PreferIPv6 ? v6 : v4;
        var second = _options.PreferIPv6 ? v4 : v6;
        foreach (var address in first)
        {
            AddUnique(results, new SipDestination(transport, new IPEndPoint(address, port), serverName));
        }

        foreach (var address in second)
        {
            AddUnique(results, new SipDestination(transport, new IPEndPoint(address, port), serverName));
        }
    }

    private static void CollectAddresses(IReadOnlyCollection<DnsResourceRecord> records, string? owner, List<IPAddress> v4, List<IPAddress> v6)
    {
        foreach (var record in records)
        {
            if (owner is not null && !string.Equals(TrimDot(record.DomainName.Value), owner, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (record is ARecord a)
            {
                v4.Add(a.Address);
            }
            else if (record is AaaaRecord aaaa && aaaa.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                v6.Add(aaaa.Address);
            }
        }
    }

    private static void AddUnique(List<SipDestination> results, SipDestination destination)
    {
        if (!results.Contains(destination))
        {
            results.Add(destination);
        }
    }

    private static string TrimDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    private async Task<IDnsQueryResponse?> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        try
        {
            var response = await _dns.Value.QueryAsync(name, type, QueryClass.IN, ct).ConfigureAwait(false);
            return response.HasError ? null : response;
        }
        catch (DnsResponseException)
        {
            // Timeouts and server failures: this name yields nothing, the next step of RFC 3263 may still work.
            return null;
        }
    }
}
