using Intercom.Web.Routing;

namespace Intercom.Web.Security;

/// <summary>
/// What an API token may do, chosen when it is created: "read" (status and events), "operate" (open, hold or release a relay, call, hang
/// up, press a simulated button), "configure" (read and replace the configuration). A token made before scopes existed
/// (none stored) keeps what it could do then: all three. Nothing a token holds reaches a page-only route.
/// </summary>
internal static class TokenScopes
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string Configure = "configure";

    public static IReadOnlyList<string> All { get; } = [Read, Operate, Configure];

    /// <summary>The scope a route needs, or null for routes no token may call (or that need none).</summary>
    public static string? For(RouteAccess access) => access switch
    {
        RouteAccess.Read => Read,
        RouteAccess.Operate => Operate,
        RouteAccess.Configure => Configure,
        _ => null,
    };

    /// <summary>The scopes asked for, each known and once, in the canonical order; null when one is unknown or none is given.</summary>
    public static List<string>? Parse(IReadOnlyList<string?>? requested)
    {
        if (requested is null || requested.Count == 0 || requested.Count > All.Count * 2)
        {
            return null;
        }

        foreach (var scope in requested)
        {
            if (scope is null || !All.Contains(scope, StringComparer.Ordinal))
            {
                return null;
            }
        }

        return All.Where(s => requested.Contains(s, StringComparer.Ordinal)).ToList();
    }
}
