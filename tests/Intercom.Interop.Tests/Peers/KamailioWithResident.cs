namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// A Kamailio on loopback that knows the station's users, and a resident (baresip: auto-answer, PCMU) registered at it:
/// the setup of the station tests that call a resident through a real registrar (two accounts, accounts changed live).
/// </summary>
internal sealed class KamailioWithResident : IAsyncDisposable
{
    private KamailioWithResident(Kamailio kamailio, Baresip resident)
    {
        Kamailio = kamailio;
        Resident = resident;
    }

    public Kamailio Kamailio { get; }

    /// <summary>The resident, registered as "resident" (password "resident-secret").</summary>
    public Baresip Resident { get; }

    /// <summary>Kamailio's domain on UDP: host:port.</summary>
    public string Domain => $"127.0.0.1:{Kamailio.UdpPort}";

    /// <summary>Starts Kamailio with <paramref name="stationUsers"/> (user → password) and the resident, and waits for the resident's registration.</summary>
    public static async Task<KamailioWithResident> StartAsync(string directory, IReadOnlyDictionary<string, string> stationUsers, TimeSpan wait,
        Action<Kamailio>? configure = null)
    {
        var kamailio = Kamailio.Create(Path.Combine(directory, "kamailio"));
        configure?.Invoke(kamailio);
        foreach (var (user, password) in stationUsers)
        {
            kamailio.Users[user] = password;
        }

        kamailio.Users["resident"] = "resident-secret";
        Baresip? resident = null;
        try
        {
            await kamailio.StartAsync();
            resident = Baresip.Create(Path.Combine(directory, "resident"),
                $"<sip:resident@127.0.0.1:{kamailio.UdpPort}>;auth_pass=resident-secret;answermode=auto;regint=600;audio_codecs=PCMU");
            await resident.StartAsync();
            await resident.WaitForRegistrationAsync(wait);
            return new KamailioWithResident(kamailio, resident);
        }
        catch
        {
            if (resident is not null)
            {
                await resident.DisposeAsync();
            }

            await kamailio.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Resident.DisposeAsync();
        await Kamailio.DisposeAsync();
    }
}
