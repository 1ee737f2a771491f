using Intercom.Station.Logging;

namespace Intercom.Web.Api;

// The API's request and response bodies (camelCase JSON through WebJsonContext).

/// <summary>GET /api/session: what the page needs to decide between setup, login and the app.</summary>
internal sealed record SessionInfo(bool SetupRequired, bool Authenticated, string? Csrf, string Name, string? StateError);

/// <summary>POST /api/setup (with the setup secret) and /api/login.</summary>
internal sealed record PasswordRequest(string? Password, string? SetupSecret = null);

/// <summary>POST /api/password.</summary>
internal sealed record ChangePasswordRequest(string? Current, string? Password);

/// <summary>After setup or login: the CSRF token the page sends in X-CSRF-Token.</summary>
internal sealed record LoginResult(string Csrf);

/// <summary>Every refusal: a sentence, and for a refused configuration each field with its reason.</summary>
internal sealed record ErrorResponse(string Error, IReadOnlyList<FieldError>? Errors = null, int? RetryAfterSeconds = null, bool? PasswordRequired = null);

internal sealed record FieldError(string Field, string Reason);

/// <summary>POST /api/call.</summary>
/// <summary>POST /api/call: a ring group id, SIP URI or extension, and optionally the account (accounts[].id) to call from.</summary>
internal sealed record CallRequest(string? Target, string? Account = null);

/// <summary>POST /api/relays/{id}/hold: for how long (1 to 1440 minutes); without it (or without a body) until released.</summary>
internal sealed record HoldRequest(int? Minutes = null);

/// <summary>Actions are queued to the station's loop: the response says what was asked, the status shows the result.</summary>
internal sealed record ActionResult(string Result);

/// <summary>PUT /api/config accepted.</summary>
internal sealed record ConfigSaved(IReadOnlyList<string> Applied, IReadOnlyList<string> RestartRequired);

/// <summary>GET /api/events.</summary>
internal sealed record EventList(IReadOnlyList<StationEvent> Events);

/// <summary>POST /api/tokens.</summary>
internal sealed record TokenRequest(string? Name, IReadOnlyList<string?>? Scopes);

/// <summary>The clear token, shown once.</summary>
internal sealed record TokenCreated(string Id, string Name, string Token, IReadOnlyList<string> Scopes);

internal sealed record TokenView(string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

internal sealed record TokenList(IReadOnlyList<TokenView> Tokens);
