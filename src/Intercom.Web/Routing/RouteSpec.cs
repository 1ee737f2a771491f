namespace Intercom.Web.Routing;

/// <summary>One declared route: method, path template ("/api/relays/{id}/open", matched case-sensitively) and who may call it.</summary>
internal sealed record RouteSpec(string Method, string Template, RouteAccess Access)
{
    public override string ToString() => $"{Method} {Template} ({Access})";
}
