using Microsoft.Playwright;

namespace Intercom.Web.Tests;

/// <summary>
/// Headless Chromium with a fake microphone playing a WAV file, and pages of the test-only SIP.js client
/// (tests/Intercom.Web.Tests/WebRtcClient) served under the station's own origin, as a page the station served would be.
/// Each page is a browser profile of its own (its own cookies, its own SIP.js user agent).
/// </summary>
internal sealed class WebRtcClientBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string ClientDirectory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "WebRtcClient");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private WebRtcClientBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    private static string SipJsDirectory => Path.Combine(ClientDirectory, "node_modules", "sip.js", "lib");

    /// <summary>Console errors and warnings of every page, for failure messages.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<WebRtcClientBrowser> LaunchAsync(string microphoneWav)
    {
        Assert.True(File.Exists(Chromium), $"this test drives Debian's Chromium at {Chromium}: apt-get install -y chromium");
        Assert.True(File.Exists(Path.Combine(SipJsDirectory, "index.js")),
            $"SIP.js is missing: npm ci --prefix {Path.GetFullPath(ClientDirectory)} (.ci/run does it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-dev-shm-usage",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-audio-capture={microphoneWav}",
                // The station's self-signed certificate; loopback ICE candidates, which Chromium leaves out unless told.
                "--ignore-certificate-errors", "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
                // The client page is fulfilled by Playwright, not fetched: Local Network Access would block its WebSocket.
                "--disable-features=LocalNetworkAccessChecks",
            ],
            Timeout = 60_000,
        });
        return new WebRtcClientBrowser(playwright, browser);
    }

    /// <summary>A new profile (own cookies) that accepts the station's self-signed certificate, on no page yet.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                lock (Errors)
                {
                    Errors.Add(m.Text);
                }
            }
        };
        return page;
    }

    /// <summary>A new profile showing the SIP.js client page under <paramref name="web"/>'s origin.</summary>
    public async Task<IPage> OpenClientAsync(StationWeb web)
    {
        var page = await NewPageAsync();
        var origin = $"https://{web.Address.Authority}";
        await page.RouteAsync($"{origin}/webrtc-client/**", async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath["/webrtc-client/".Length..];
            var file = path.StartsWith("sipjs/", StringComparison.Ordinal)
                ? Path.Combine(SipJsDirectory, path["sipjs/".Length..])
                : Path.Combine(ClientDirectory, path);
            var full = Path.GetFullPath(file);
            if (!full.StartsWith(Path.GetFullPath(ClientDirectory), StringComparison.Ordinal) || !File.Exists(full))
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 404 });
                return;
            }

            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = full.EndsWith(".html", StringComparison.Ordinal) ? "text/html" : "text/javascript",
                Body = await File.ReadAllTextAsync(full),
            });
        });
        await page.GotoAsync($"{origin}/webrtc-client/client.html");
        await page.WaitForFunctionAsync("() => typeof window.register === 'function'");
        return page;
    }

    public string ErrorText()
    {
        lock (Errors)
        {
            return string.Join('\n', Errors);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
