using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// A small internet in network namespaces, built for one test and deleted after it (docs/nat.md draws it):
/// <list type="bullet">
/// <item>the internet segment, 198.51.100.0/24 (RFC 5737), with the provider at .10 (Kamailio as registrar and proxy,
/// coturn as STUN server; no media relay), home router A's WAN at .1 and, on the internet, the phone at .20 (or home
/// router B's WAN at .2 with the phone behind it);</item>
/// <item>router A's LAN 192.168.1.0/24 with the station at .10; router B's LAN 192.168.2.0/24 with the phone at .20.</item>
/// </list>
/// Kamailio is a plain hosted registrar/proxy: it honours the rport the station asks for (RFC 3581) and stores the
/// Contact the station registers as it is, without nathelper's fix_nated_register or an rtpproxy, so what reaches the
/// phone is what the station itself put in its Contact and SDP. Every namespace is named nat-…; disposing stops the
/// processes the lab started (by PID) and then deletes the namespaces, on every way out of a test.
/// </summary>
public sealed class NatLab : IAsyncDisposable
{
    public const string ProviderAddress = InternetSegment.Prefix + ".10";
    public const string StationRouterAddress = InternetSegment.Prefix + ".1";
    public const string PhoneRouterAddress = InternetSegment.Prefix + ".2";
    public const string InternetPhoneAddress = InternetSegment.Prefix + ".20";
    public const string StationLan = "192.168.1";
    public const string PhoneLan = "192.168.2";
    public const string DoorUser = "door";
    public const string DoorPassword = "Nat-Lab-Door-4711";
    public const string ResidentUser = "resident";
    public const string TurnUser = "lab-turn";
    public const string TurnPassword = "Nat-Lab-Turn-0815";

    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _processes = [];
    private readonly List<IDisposable> _namespaces = [];

    private NatLab(string directory) => Directory = directory;

    public string Directory { get; }

    public InternetSegment Internet { get; private set; } = null!;

    /// <summary>The provider's host on the internet: Kamailio and coturn.</summary>
    public NetworkNamespace Provider { get; private set; } = null!;

    public HomeRouter StationRouter { get; private set; } = null!;

    public NetworkNamespace Station { get; private set; } = null!;

    public string StationAddress { get; private set; } = "";

    /// <summary>Router B, when the phone is behind a NAT of its own; null when it is on the internet.</summary>
    public HomeRouter? PhoneRouter { get; private set; }

    public NetworkNamespace Phone { get; private set; } = null!;

    public string PhoneAddress { get; private set; } = "";

    public Kamailio Kamailio { get; private set; } = null!;

    public StunServer Stun { get; private set; } = null!;

    /// <summary>The registrar as the station's account names it.</summary>
    public string RegistrarUri => $"sip:{ProviderAddress}:{Kamailio.UdpPort}";

    /// <summary>The station's address-of-record at the provider, which the phone dials.</summary>
    public string DoorUri => $"sip:{DoorUser}@{ProviderAddress}:{Kamailio.UdpPort}";

    /// <summary>The phone's identity (its From), which the station's allowlist names.</summary>
    public string ResidentUri => $"sip:{ResidentUser}@{ProviderAddress}";

    /// <summary>
    /// Builds the lab with the station behind router A (<paramref name="stationNat"/>) and the phone on the internet,
    /// or behind router B when <paramref name="phoneNat"/> is given; starts Kamailio and coturn at the provider.
    /// </summary>
    /// <param name="turn">coturn relays too (TURN, RFC 8656) for <see cref="TurnUser"/>; false: STUN only.</param>
    /// <param name="outboundFlowTimer">
    /// Kamailio is a SIP outbound registrar (RFC 5626: Require: outbound, this Flow-Timer in seconds, requests to the
    /// station over the flow its REGISTER came on); 0: a plain registrar.
    /// </param>
    public static async Task<NatLab> StartAsync(string directory, NatBehaviour stationNat, NatBehaviour? phoneNat = null, bool turn = false,
        int outboundFlowTimer = 0)
    {
        NetworkNamespace.RequireRoot();
        PublishedStation.RequireTool("nft", "nftables");
        PublishedStation.RequireTool("turnserver", "coturn");
        var lab = new NatLab(directory);
        try
        {
            await lab.BuildAsync(stationNat, phoneNat, turn, outboundFlowTimer).ConfigureAwait(false);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task BuildAsync(NatBehaviour stationNat, NatBehaviour? phoneNat, bool turn, int outboundFlowTimer)
    {
        Internet = Own(await InternetSegment.CreateAsync().ConfigureAwait(false));
        Provider = Own(NetworkNamespace.Create("nat-prov"));
        Internet.Attach(Provider, "eth0", ProviderAddress);

        StationRouter = Own(await HomeRouter.CreateAsync(Internet, StationRouterAddress, StationLan, stationNat).ConfigureAwait(false));
        Station = Own(NetworkNamespace.Create("nat-door"));
        StationAddress = StationRouter.ConnectLan(Station, 10);

        Phone = Own(NetworkNamespace.Create("nat-phone"));
        if (phoneNat is { } behaviour)
        {
            PhoneRouter = Own(await HomeRouter.CreateAsync(Internet, PhoneRouterAddress, PhoneLan, behaviour).ConfigureAwait(false));
            PhoneAddress = PhoneRouter.ConnectLan(Phone, 20);
        }
        else
        {
            Internet.Attach(Phone, "eth0", InternetPhoneAddress);
            PhoneAddress = InternetPhoneAddress;
        }

        // INVITEs are not challenged: the phone has no account at the provider, only the door registers (with digest).
        Kamailio = Kamailio.Create(Path.Combine(Directory, "kamailio"), authenticateInvites: false, networkNamespace: Provider,
            listenAddress: ProviderAddress, outboundFlowTimer: outboundFlowTimer);
        Kamailio.Users[DoorUser] = DoorPassword;
        _processes.Add(Kamailio);
        await Kamailio.StartAsync().ConfigureAwait(false);
        Stun = await StunServer.StartAsync(Provider, ProviderAddress, Path.Combine(Directory, "coturn"), StartBound,
            turn ? (TurnUser, TurnPassword) : null).ConfigureAwait(false);
        _processes.Add(Stun);
    }

    /// <summary>
    /// A baresip phone in the phone's namespace that plays <paramref name="toneHz"/> and records what it decodes; it
    /// does not register (it only calls out, as resident@provider). Stopped with the lab.
    /// </summary>
    /// <param name="accountParameters">More account parameters (";medianat=ice;stunserver=...").</param>
    /// <param name="configure">Changes to baresip's configuration before it starts (modules, rtcp_mux).</param>
    public async Task<Baresip> StartPhoneAsync(int toneHz, string accountParameters = "", Action<Baresip>? configure = null)
    {
        var phone = Baresip.Create(Path.Combine(Directory, "phone"),
            $"<sip:{ResidentUser}@{ProviderAddress}:{Kamailio.UdpPort}>;regint=0;answermode=manual;audio_codecs=PCMU{accountParameters}",
            toneHz, networkNamespace: Phone, sipAddress: PhoneAddress);
        configure?.Invoke(phone);
        _processes.Add(phone);
        await phone.StartAsync().ConfigureAwait(false);
        return phone;
    }

    /// <summary>The station (the published binary) in its namespace behind router A, on <paramref name="configJson"/>. Stopped with the lab.</summary>
    public async Task<LabStation> StartStationAsync(string configJson)
    {
        var station = await LabStation.StartAsync(configJson, Station, Path.Combine(Directory, "station"), StartBound).ConfigureAwait(false);
        _processes.Add(station);
        return station;
    }

    private T Own<T>(T created)
        where T : IDisposable
    {
        _namespaces.Add(created);
        return created;
    }

    /// <summary>Stops every process the lab started (newest first), then deletes its namespaces (newest first).</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            try
            {
                await _processes[i].DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every namespace must still be deleted; the failures are thrown together below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        for (var i = _namespaces.Count - 1; i >= 0; i--)
        {
            try
            {
                _namespaces[i].Dispose();
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        _processes.Clear();
        _namespaces.Clear();
        if (failures.Count > 0)
        {
            throw new AggregateException("the NAT lab was not torn down cleanly", failures);
        }
    }
}
