using Microsoft.Playwright;

namespace Intercom.Web.Tests;

/// <summary>
/// One headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright, never a browser
/// Playwright downloads itself. Missing Chromium fails every browser test with what to install.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>A name of another site that the browser resolves to 127.0.0.1, as DNS rebinding would make it.</summary>
    public const string RebindingHost = "rebind.test";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"the browser tests drive Debian's Chromium at {Chromium}: apt-get install -y chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        // A loaded two-core CI machine: give the live updates time, every wait stays bounded.
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root (CI, containers) Chromium refuses its sandbox; /dev/shm may be small there. "rebind.test" plays a
            // DNS-rebinding attacker's name, resolving to the station's loopback address.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", $"--host-resolver-rules=MAP {RebindingHost} 127.0.0.1"],
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh browser profile (own cookies) with a phone-sized window.</summary>
    /// <param name="acceptSelfSignedCertificate">
    /// Accept the station's self-signed HTTPS certificate, as a resident does once after comparing its fingerprint with
    /// the one the station logged.
    /// </param>
    public async Task<IPage> NewPhonePageAsync(bool acceptSelfSignedCertificate = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = acceptSelfSignedCertificate,
            ViewportSize = new ViewportSize { Width = 412, Height = 915 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
