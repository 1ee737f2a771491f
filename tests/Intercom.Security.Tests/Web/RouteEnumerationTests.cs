using System.Text;
using Intercom.Web.Routing;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// Deny by default, tried as someone on the home network would: every route the web server declares (the router is built
/// from <see cref="WebRoutes.All"/> and refuses anything else; Intercom.Web.Tests checks the running server's table is
/// exactly that list), with every method, sent to the published binary without credentials in many spellings of its path.
/// None may answer 2xx (but the public routes in their canonical form), and the door relay must never be energised.
/// </summary>
public sealed class RouteEnumerationTests
{
    private static readonly HashSet<int> Refusals = [400, 401, 403, 404, 405, 421];

    [Fact]
    public async Task No_route_in_any_spelling_answers_or_opens_the_door_without_credentials()
    {
        var (station, port) = await WebStation.StartAsync();
        await using var _ = station;
        // Installed as a resident would have it (the admin password set, a page logged in): the requests below come from
        // someone else on the network, with nothing of that session.
        var page = await WebStation.SetupAsync(station, port);
        var failures = new List<string>();
        var sent = 0;

        foreach (var route in WebRoutes.All)
        {
            var path = Concrete(route.Template);
            foreach (var (method, target) in Spellings(route.Method, path))
            {
                var response = await RawHttp.SendAsync(port, method, target, body: method is "GET" or "HEAD" ? null : "{}");
                sent++;
                var canonical = method == route.Method && target == path;
                if (route.Access == RouteAccess.Public)
                {
                    // Anyone may use these as written; no spelling of them may do more than that (checked below: no
                    // password set, no door opened), and none may break the server.
                    if (response.Status is < 200 or >= 500)
                    {
                        failures.Add($"{method} {target} -> {response.Status}");
                    }
                }
                else if (!Refusals.Contains(response.Status) || (canonical && response.Status is not (401 or 403)))
                {
                    failures.Add($"{method} {target} ({route}) -> {response.Status} {response.Body[..Math.Min(response.Body.Length, 60)]}");
                }
            }
        }

        // Synchronise with the station's loop: the resident's page opens the gate; the loop runs actions in order, so any
        // door opening queued by a request above has happened by the time the gate's line is logged.
        var gate = await RawHttp.SendAsync(port, "POST", "/api/relays/gate/open", "{}", WebStation.PageHeaders(page));
        Assert.Equal(202, gate.Status);
        await station.WaitForLineAsync(@"Relay: gate energised", TimeSpan.FromSeconds(10));

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests were not refused:\n{string.Join('\n', failures)}");
        Assert.Equal(0, station.DoorOpenings());
        Assert.True(sent > WebRoutes.All.Count * 12, $"only {sent} requests sent");
    }

    [Fact]
    public async Task The_declared_routes_are_the_ones_the_binary_answers()
    {
        var (station, port) = await WebStation.StartAsync();
        await using var _ = station;

        foreach (var route in WebRoutes.All)
        {
            var response = await RawHttp.SendAsync(port, route.Method, Concrete(route.Template), route.Method == "GET" ? null : "{}");

            // Declared routes exist (never 404/405 in their own form); the others were refused above.
            Assert.True(response.Status is not (404 or 405), $"{route} -> {response.Status}");
        }
    }

    // A route's template with real ids: the simulated board's relay "door" and button "button1", a token id.
    internal static string Concrete(string template) => template
        .Replace("/relays/{id}", "/relays/door", StringComparison.Ordinal)
        .Replace("/buttons/{id}", "/buttons/button1", StringComparison.Ordinal)
        .Replace("/tokens/{id}", "/tokens/0123456789ab", StringComparison.Ordinal);

    /// <summary>The route's own method and path, then other spellings of both as a client might send them.</summary>
    internal static IEnumerable<(string Method, string Target)> Spellings(string method, string path)
    {
        yield return (method, path);
        if (method == "GET")
        {
            yield return ("HEAD", path);
        }

        yield return (method.ToLowerInvariant(), path);
        foreach (var other in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
        {
            if (other != method)
            {
                yield return (other, path);
            }
        }

        var targets = new List<string>
        {
            path.ToUpperInvariant(),
            path.Replace("/api/", "/API/", StringComparison.Ordinal),
            path.Replace("/api/", "/Api/", StringComparison.Ordinal),
            MixedCase(path),
            string.Join('/', path.Split('/').Select(s => s.Length > 0 ? char.ToUpperInvariant(s[0]) + s[1..] : s)),
            "/" + path,
            path.Replace("/api/", "/api//", StringComparison.Ordinal),
            path + "/",
            path + "//",
            "/." + path,
            path.Replace("/api/", "/api/./", StringComparison.Ordinal),
            path.Replace("/api/", "/api/x/../", StringComparison.Ordinal),
            PercentEncodeLetters(path, every: false),
            PercentEncodeLetters(path, every: true),
            PercentEncodeLetters(path.ToUpperInvariant(), every: false),
            path.Replace("/api/", "/api%2F", StringComparison.Ordinal),
            path + "?",
            path + "%20",
            path + ";",
            "http://127.0.0.1" + path.ToUpperInvariant(),
        };
        foreach (var target in targets.Where(t => t != path).Distinct(StringComparer.Ordinal))
        {
            yield return (method, target);
        }
    }

    private static string MixedCase(string path)
    {
        var chars = path.ToCharArray();
        for (var i = 0; i < chars.Length; i += 2)
        {
            chars[i] = char.ToUpperInvariant(chars[i]);
        }

        return new string(chars);
    }

    // "%61pi" for "api": Kestrel decodes it before routing, so it must meet the same check as "api".
    private static string PercentEncodeLetters(string path, bool every)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var c in path)
        {
            if (char.IsAsciiLetter(c) && (every || first))
            {
                text.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                first = false;
            }
            else
            {
                text.Append(c);
                first |= c == '/';
            }
        }

        return text.ToString();
    }
}
