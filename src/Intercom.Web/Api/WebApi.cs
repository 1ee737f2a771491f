using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Intercom.Configuration;
using Intercom.Station.Logging;
using Intercom.Web.Routing;
using Intercom.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Intercom.Web.Api;

/// <summary>
/// The endpoints under /api/ (README "Web page and API"). Each is a plain RequestDelegate reading and writing JSON
/// through <see cref="WebJsonContext"/>: no reflection-based binding, nothing for the trimmer to lose.
/// Each route's access (<see cref="WebRoutes"/>) and the CSRF token are checked by the router before any of them runs.
/// </summary>
internal sealed partial class WebApi(
    IStationControl station,
    WebStateStore state,
    SessionStore sessions,
    LoginThrottle throttle,
    LoginThrottle configThrottle,
    RequestGuard guard,
    EventStream stream,
    SetupSecret? setupSecret,
    ILogger log)
{
    /// <summary>PUT /api/config: the admin password, re-entered on the page, when door codes change.</summary>
    public const string AdminPasswordHeader = "X-Admin-Password";
    private const int SmallBody = 16 * 1024;
    private const int MaxEventsPerPage = 500;
    private static readonly TimeSpan HashQueueTimeout = TimeSpan.FromSeconds(10);

    // Replaced by the physical reset (RenewSetupSecret) while the server runs.
    private SetupSecret? _setupSecret = setupSecret;

    /// <summary>The physical reset's new setup secret: from now on setup needs it (and no earlier one).</summary>
    public void RenewSetupSecret(SetupSecret secret) => Volatile.Write(ref _setupSecret, secret);

    public void Map(RequestRouter routes)
    {
        routes.Map(WebRoutes.Session, ctx => Session(ctx));
        routes.Map(WebRoutes.Setup, ctx => Setup(ctx));
        routes.Map(WebRoutes.Login, ctx => Login(ctx));
        routes.Map(WebRoutes.Logout, ctx => Logout(ctx));
        routes.Map(WebRoutes.Password, ctx => ChangePassword(ctx));
        routes.Map(WebRoutes.Status, ctx => Json(ctx, station.GetStatus(), WebJsonContext.Default.StationView));
        routes.Map(WebRoutes.OpenRelay, ctx => OpenRelay(ctx));
        routes.Map(WebRoutes.HoldRelay, ctx => HoldRelay(ctx));
        routes.Map(WebRoutes.ReleaseRelay, ctx => ReleaseRelay(ctx));
        routes.Map(WebRoutes.Call, ctx => Call(ctx));
        routes.Map(WebRoutes.HangUp, ctx => HangUp(ctx));
        routes.Map(WebRoutes.OpenDoorInCall, ctx => OpenDoorInCall(ctx));
        routes.Map(WebRoutes.GetConfig, ctx => GetConfig(ctx));
        routes.Map(WebRoutes.PutConfig, ctx => PutConfig(ctx));
        routes.Map(WebRoutes.Backup, ctx => Backup(ctx));
        routes.Map(WebRoutes.Events, ctx => Events(ctx));
        routes.Map(WebRoutes.EventStream, ctx => stream.ServeAsync(ctx, StillAllowed(ctx)));
        routes.Map(WebRoutes.PressButton, ctx => PressButton(ctx));
        routes.Map(WebRoutes.ListTokens, ctx => ListTokens(ctx));
        routes.Map(WebRoutes.CreateToken, ctx => CreateToken(ctx));
        routes.Map(WebRoutes.RevokeToken, ctx => RevokeToken(ctx));
        routes.Map(WebRoutes.Firmware, ctx => UpdateFirmware(ctx));
    }

    private Task Session(HttpContext ctx)
    {
        var session = RequestGuard.CallerOf(ctx)?.Session;
        return Json(ctx, new SessionInfo(state.SetupRequired, session is not null, session?.Csrf, station.Config.Name, state.LoadError is null ? null : "the web state file cannot be read; see the log"), WebJsonContext.Default.SessionInfo);
    }

    private async Task Setup(HttpContext ctx)
    {
        if (!state.SetupRequired)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict, "the admin password is already set").ConfigureAwait(false);
            return;
        }

        var remote = Remote(ctx);
        if (await Throttled(ctx, remote).ConfigureAwait(false))
        {
            return;
        }

        var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.PasswordRequest).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        // The first start belongs to whoever can read the station's journal or its configuration directory, not to
        // whoever reaches the port first. A wrong secret counts like a wrong password.
        var secret = Volatile.Read(ref _setupSecret);
        if (secret is null || !secret.Matches(body?.SetupSecret))
        {
            var wait = throttle.Failed(remote);
            LogWrongSetupSecret(log, remote.ToString());
            if (wait > TimeSpan.Zero)
            {
                await TooManyAttempts(ctx, wait).ConfigureAwait(false);
            }
            else
            {
                await RequestGuard.Refuse(ctx, StatusCodes.Status401Unauthorized, "setupSecret: missing or wrong (the station printed it in its log at start and keeps it in web-setup-secret beside its configuration)").ConfigureAwait(false);
            }

            return;
        }

        if (PasswordHasher.Weakness(body?.Password) is { } weakness)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "password: " + weakness).ConfigureAwait(false);
            return;
        }

        if (!state.TrySetInitialPassword(body!.Password!))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict, "the admin password is already set").ConfigureAwait(false);
            return;
        }

        secret.Remove();
        throttle.Succeeded(remote);
        LogPasswordSet(log, remote.ToString());
        await StartSession(ctx).ConfigureAwait(false);
    }

    private async Task Login(HttpContext ctx)
    {
        var remote = Remote(ctx);
        if (await Throttled(ctx, remote).ConfigureAwait(false))
        {
            return;
        }

        if (state.SetupRequired)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict, "no admin password yet: set one first").ConfigureAwait(false);
            return;
        }

        var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.PasswordRequest).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        if (!await CheckPassword(ctx, remote, body?.Password).ConfigureAwait(false))
        {
            return;
        }

        LogLogin(log, remote.ToString());
        await StartSession(ctx).ConfigureAwait(false);
    }

    // A stream runs as long as the caller that opened it may still read: its session lives, or its token is not revoked.
    private Func<bool> StillAllowed(HttpContext ctx)
    {
        var caller = RequestGuard.CallerOf(ctx);
        return caller?.Session is { } session ? () => sessions.IsLive(session.Id)
            : caller?.Token is { } token ? () => state.Tokens().Any(t => t.Token.Id == token.Id)
            : () => false;
    }

    private Task Logout(HttpContext ctx)
    {
        sessions.End(guard.SessionIdOf(ctx));
        stream.CallersChanged();
        guard.DeleteSessionCookie(ctx);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private async Task ChangePassword(HttpContext ctx)
    {
        if (await PageOnly(ctx).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        var remote = Remote(ctx);
        if (await Throttled(ctx, remote).ConfigureAwait(false))
        {
            return;
        }

        var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.ChangePasswordRequest).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        if (PasswordHasher.Weakness(body?.Password) is { } weakness)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "password: " + weakness).ConfigureAwait(false);
            return;
        }

        if (!await CheckPassword(ctx, remote, body!.Current).ConfigureAwait(false))
        {
            return;
        }

        state.ChangePassword(body.Password!);
        sessions.EndAllExcept(session.Id);
        stream.CallersChanged();
        LogPasswordSet(log, remote.ToString());
        await Json(ctx, new ActionResult("password changed; other sessions ended"), WebJsonContext.Default.ActionResult).ConfigureAwait(false);
    }

    private Task OpenRelay(HttpContext ctx)
    {
        var id = Route(ctx, "id");
        if (!station.OpenRelay(id, RequestedBy(ctx)))
        {
            return RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, $"no relay '{id}'");
        }

        return Accepted(ctx, $"relay {id} opening");
    }

    /// <summary>The longest "unlock for N minutes": a day.</summary>
    private const int MaxHoldMinutes = 1440;

    private async Task HoldRelay(HttpContext ctx)
    {
        var id = Route(ctx, "id");
        int? minutes = null;

        // No body holds until released; a JSON body may say for how long.
        if (ctx.Request.HasJsonContentType() || ctx.Request.ContentLength is > 0)
        {
            var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.HoldRequest).ConfigureAwait(false);
            if (!ok)
            {
                return;
            }

            minutes = body?.Minutes;
            if (minutes is < 1 or > MaxHoldMinutes)
            {
                await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest,
                    $"minutes: 1 to {MaxHoldMinutes} (a day); leave it out to hold until released").ConfigureAwait(false);
                return;
            }
        }

        switch (station.HoldRelay(id, RequestedBy(ctx), minutes is { } m ? TimeSpan.FromMinutes(m) : null))
        {
            case RelayHoldResult.UnknownRelay:
                await RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, $"no relay '{id}'").ConfigureAwait(false);
                return;
            case RelayHoldResult.PulseOnly:
                await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict,
                    $"relay '{id}' only pulses: holding it open needs its mode set to Hold (station.relays[].mode), for a lock rated to stay open").ConfigureAwait(false);
                return;
        }

        await Accepted(ctx, minutes is { } held ? $"relay {id} held open for {held} min" : $"relay {id} held open until released").ConfigureAwait(false);
    }

    private Task ReleaseRelay(HttpContext ctx)
    {
        var id = Route(ctx, "id");
        return station.ReleaseRelay(id, RequestedBy(ctx))
            ? Accepted(ctx, $"relay {id} released")
            : RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, $"no relay '{id}'");
    }

    private async Task Call(HttpContext ctx)
    {
        var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.CallRequest).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var target = body?.Target?.Trim();
        if (string.IsNullOrEmpty(target) || target.Length > 256)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "target: a ring group id, a SIP URI or an extension is required").ConfigureAwait(false);
            return;
        }

        var account = body?.Account?.Trim();
        if (account is not null && !station.Config.Accounts.Exists(a => a.Id == account))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, $"account: no account \"{account}\"").ConfigureAwait(false);
            return;
        }

        station.Dial(target, RequestedBy(ctx), account);
        await Accepted(ctx, $"calling {target}").ConfigureAwait(false);
    }

    /// <summary>
    /// The page phone's Open door (issue #20): the station opens the door as for a right code keyed in the call, and
    /// logs the web user; refused unless the connected call is with this user's own page.
    /// </summary>
    private async Task OpenDoorInCall(HttpContext ctx)
    {
        // The route is the page's only, so a session, hence a web user, is there.
        if (RequestGuard.CallerOf(ctx)?.WebUser is not { } user || !await station.OpenDoorFromPage(user).ConfigureAwait(false))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict, "the door opens from a call only while this page is in it").ConfigureAwait(false);
            return;
        }

        await Json(ctx, new ActionResult("door opened"), WebJsonContext.Default.ActionResult).ConfigureAwait(false);
    }

    private Task HangUp(HttpContext ctx)
    {
        station.HangUp(RequestedBy(ctx));
        return Accepted(ctx, "hanging up");
    }

    private async Task GetConfig(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Indented = true });
        ConfigSecrets.Redacted(station.Config).WriteTo(writer);
    }

    private async Task PutConfig(HttpContext ctx)
    {
        // Refused changes count like wrong passwords (configThrottle): validation errors must not become a fast oracle.
        var remote = Remote(ctx);
        if (await Throttled(ctx, configThrottle, remote).ConfigureAwait(false))
        {
            return;
        }

        if (!ctx.Request.HasJsonContentType())
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status415UnsupportedMediaType, "send the configuration as application/json").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            body = await ReadBody(ctx, ConfigLoader.MaxFileBytes).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RequestGuard.Refuse(ctx, e.StatusCode, "the configuration is too large").ConfigureAwait(false);
            return;
        }

        if (!ConfigSecrets.TryMerge(body, station.Config, out var merged, out var errors))
        {
            await RefuseConfig(ctx, remote, errors).ConfigureAwait(false);
            return;
        }

        // Door codes open the door: changing them (adding, removing, re-pointing an entry) takes the person at the page
        // and the admin password again, never a token and never a session alone (a page left open on a phone).
        if (DoorCodeChanges.Changed(station.Config, merged!))
        {
            if (RequestGuard.CallerOf(ctx)?.Session is null)
            {
                configThrottle.Failed(remote);
                LogConfigRefused(log, RequestedBy(ctx), remote.ToString(), "door codes change only from the logged-in page");
                await RequestGuard.Refuse(ctx, StatusCodes.Status403Forbidden, "door codes change only from the logged-in page, with the admin password").ConfigureAwait(false);
                return;
            }

            var password = ctx.Request.Headers[AdminPasswordHeader].ToString();
            if (password.Length == 0)
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                await ctx.Response.WriteAsJsonAsync(new ErrorResponse("door codes change: enter the admin password to save", PasswordRequired: true), WebJsonContext.Default.ErrorResponse).ConfigureAwait(false);
                return;
            }

            if (await Throttled(ctx, throttle, remote).ConfigureAwait(false) || !await CheckPassword(ctx, remote, password).ConfigureAwait(false))
            {
                return;
            }
        }

        var result = await station.ApplyConfigAsync(merged!).ConfigureAwait(false);
        if (!result.Accepted)
        {
            await RefuseConfig(ctx, remote, result.Errors).ConfigureAwait(false);
            return;
        }

        configThrottle.Succeeded(remote);
        LogConfigSaved(log, RequestedBy(ctx), string.Join(", ", result.Applied), string.Join(", ", result.RestartRequired));
        await Json(ctx, new ConfigSaved(result.Applied, result.RestartRequired), WebJsonContext.Default.ConfigSaved).ConfigureAwait(false);
    }

    private async Task Backup(HttpContext ctx)
    {
        var withSecrets = string.Equals(ctx.Request.Query["secrets"], "true", StringComparison.OrdinalIgnoreCase);
        if (withSecrets && await PageOnly(ctx).ConfigureAwait(false) is null)
        {
            return;
        }

        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.Headers.ContentDisposition = withSecrets
            ? "attachment; filename=\"intercom-with-secrets.json\""
            : "attachment; filename=\"intercom.json\"";
        ctx.Response.ContentType = "application/json; charset=utf-8";
        if (withSecrets)
        {
            LogBackupWithSecrets(log, Remote(ctx).ToString());
            await ctx.Response.WriteAsync(ConfigLoader.Serialize(station.Config)).ConfigureAwait(false);
            return;
        }

        await using var writer = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Indented = true });
        ConfigSecrets.Redacted(station.Config).WriteTo(writer);
    }

    private Task Events(HttpContext ctx)
    {
        var after = long.TryParse(ctx.Request.Query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
        var limit = int.TryParse(ctx.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, MaxEventsPerPage) : 100;
        var all = station.GetEvents();
        var list = new List<StationEvent>();
        for (var i = all.Count - 1; i >= 0 && list.Count < limit; i--)
        {
            if (all[i].Sequence > after)
            {
                list.Add(all[i]);
            }
        }

        list.Reverse();
        return Json(ctx, new EventList(list), WebJsonContext.Default.EventList);
    }

    private Task PressButton(HttpContext ctx)
    {
        var id = Route(ctx, "id");
        if (!station.IsSimulated)
        {
            return RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, "not simulating: buttons are pressed by visitors");
        }

        return station.PressButton(id)
            ? Accepted(ctx, $"button {id} pressed")
            : RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, $"no button '{id}'");
    }

    private async Task ListTokens(HttpContext ctx)
    {
        if (await PageOnly(ctx).ConfigureAwait(false) is null)
        {
            return;
        }

        var tokens = state.Tokens().Select(t => new TokenView(t.Token.Id, t.Token.Name, t.Token.EffectiveScopes, t.Token.CreatedAt, t.LastUsed)).ToList();
        await Json(ctx, new TokenList(tokens), WebJsonContext.Default.TokenList).ConfigureAwait(false);
    }

    private async Task CreateToken(HttpContext ctx)
    {
        if (await PageOnly(ctx).ConfigureAwait(false) is null)
        {
            return;
        }

        var (ok, body) = await ReadJson(ctx, WebJsonContext.Default.TokenRequest).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "name: 1 to 64 characters").ConfigureAwait(false);
            return;
        }

        if (TokenScopes.Parse(body?.Scopes) is not { } scopes)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "scopes: one or more of read, operate, configure").ConfigureAwait(false);
            return;
        }

        if (state.CreateToken(name, scopes) is not { } created)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status409Conflict, "too many tokens: revoke one first").ConfigureAwait(false);
            return;
        }

        LogTokenCreated(log, name, string.Join(", ", scopes));
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.WriteAsJsonAsync(new TokenCreated(created.Stored.Id, name, created.Token, scopes), WebJsonContext.Default.TokenCreated).ConfigureAwait(false);
    }

    private async Task RevokeToken(HttpContext ctx)
    {
        if (await PageOnly(ctx).ConfigureAwait(false) is null)
        {
            return;
        }

        var id = Route(ctx, "id");
        if (!state.RevokeToken(id))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status404NotFound, $"no token '{id}'").ConfigureAwait(false);
            return;
        }

        LogTokenRevoked(log, id);
        stream.CallersChanged();
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task StartSession(HttpContext ctx)
    {
        // A new id at every login; the id the browser came with (if any) is ended (no session fixation).
        var session = sessions.Create(replacing: guard.SessionIdOf(ctx));
        guard.SetSessionCookie(ctx, session);
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.WriteAsJsonAsync(new LoginResult(session.Csrf), WebJsonContext.Default.LoginResult).ConfigureAwait(false);
    }

    private Task<bool> Throttled(HttpContext ctx, IPAddress remote) => Throttled(ctx, throttle, remote);

    private static async Task<bool> Throttled(HttpContext ctx, LoginThrottle which, IPAddress remote)
    {
        var wait = which.RetryAfter(remote);
        if (wait <= TimeSpan.Zero)
        {
            return false;
        }

        await TooManyAttempts(ctx, wait).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> CheckPassword(HttpContext ctx, IPAddress remote, string? password)
    {
        if (!await throttle.Hashing.WaitAsync(HashQueueTimeout, ctx.RequestAborted).ConfigureAwait(false))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status503ServiceUnavailable, "busy: try again").ConfigureAwait(false);
            return false;
        }

        // The lockout is checked again, and the attempt counted, while this request holds the one hashing slot: requests
        // that all passed the first check together (before any of them failed) queue here, and once the free failures are
        // used up the rest are refused without a hash. So concurrency gets no more guesses than one request at a time.
        TimeSpan wait;
        bool right;
        try
        {
            wait = throttle.RetryAfter(remote);
            right = wait <= TimeSpan.Zero && password is { Length: > 0 } && state.VerifyPassword(password);
            if (right)
            {
                throttle.Succeeded(remote);
            }
            else if (wait <= TimeSpan.Zero)
            {
                wait = throttle.Failed(remote);
                LogWrongPassword(log, remote.ToString());
            }
        }
        finally
        {
            throttle.Hashing.Release();
        }

        if (right)
        {
            return true;
        }

        if (wait > TimeSpan.Zero)
        {
            await TooManyAttempts(ctx, wait).ConfigureAwait(false);
        }
        else
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status401Unauthorized, "wrong password").ConfigureAwait(false);
        }

        return false;
    }

    private static Task TooManyAttempts(HttpContext ctx, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ctx.Response.WriteAsJsonAsync(
            new ErrorResponse($"too many wrong passwords: try again in {seconds} s", RetryAfterSeconds: seconds), WebJsonContext.Default.ErrorResponse);
    }

    // Token management, password changes and backups with secrets are for the person at the page, not for API clients:
    // a leaked token must not mint more tokens or read the SIP passwords.
    private static async Task<WebSession?> PageOnly(HttpContext ctx)
    {
        if (RequestGuard.CallerOf(ctx)?.Session is { } session)
        {
            return session;
        }

        await RequestGuard.Refuse(ctx, StatusCodes.Status403Forbidden, "only the logged-in page may do this").ConfigureAwait(false);
        return null;
    }

    // Logged (who, from where, how many fields; never the values) and counted; comparisons with codes told in one sentence.
    private async Task RefuseConfig(HttpContext ctx, IPAddress remote, IReadOnlyList<Station.Configuration.ConfigError> errors)
    {
        var wait = configThrottle.Failed(remote);
        LogConfigRefused(log, RequestedBy(ctx), remote.ToString(), $"{errors.Count} field error(s)");
        if (wait > TimeSpan.Zero)
        {
            ctx.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
        var fields = DoorCodeChanges.Conceal(errors).Select(e => new FieldError(e.Path, e.Reason)).ToList();
        await ctx.Response.WriteAsJsonAsync(new ErrorResponse("configuration refused", fields), WebJsonContext.Default.ErrorResponse).ConfigureAwait(false);
    }

    private static Task Accepted(HttpContext ctx, string what)
    {
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        return ctx.Response.WriteAsJsonAsync(new ActionResult(what), WebJsonContext.Default.ActionResult);
    }

    private static Task Json<T>(HttpContext ctx, T value, JsonTypeInfo<T> type)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        return ctx.Response.WriteAsJsonAsync(value, type);
    }

    private static async Task<(bool Ok, T? Value)> ReadJson<T>(HttpContext ctx, JsonTypeInfo<T> type)
    {
        if (!ctx.Request.HasJsonContentType())
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status415UnsupportedMediaType, "send application/json").ConfigureAwait(false);
            return (false, default);
        }

        try
        {
            var bytes = await ReadBody(ctx, SmallBody).ConfigureAwait(false);
            return (true, JsonSerializer.Deserialize(bytes, type));
        }
        catch (JsonException)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, "the body is not valid JSON of the expected shape").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RequestGuard.Refuse(ctx, e.StatusCode, "the body is too large").ConfigureAwait(false);
        }

        return (false, default);
    }

    /// <summary>Largest firmware upload read (a release archive is ~6 MiB; the service may use 256 MiB in all).</summary>
    public const int MaxFirmwareBytes = 32 * 1024 * 1024;

    /// <summary>The release's Ed25519 signature (base64 of its 64 bytes, the .sig file publish.ps1 writes).</summary>
    public const string ReleaseSignatureHeader = "X-Release-Signature";

    // POST /api/firmware: the archive as the body. New firmware can do anything the station can, so it takes the admin
    // password on every request (as door codes do), whoever calls; the signature is what keeps a stolen password from
    // installing anything but a genuine release.
    private async Task UpdateFirmware(HttpContext ctx)
    {
        var remote = Remote(ctx);
        if (await Throttled(ctx, throttle, remote).ConfigureAwait(false))
        {
            return;
        }

        var password = ctx.Request.Headers[AdminPasswordHeader].ToString();
        if (password.Length == 0)
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            await ctx.Response.WriteAsJsonAsync(new ErrorResponse("firmware update: enter the admin password", PasswordRequired: true), WebJsonContext.Default.ErrorResponse).ConfigureAwait(false);
            return;
        }

        if (!await CheckPassword(ctx, remote, password).ConfigureAwait(false))
        {
            return;
        }

        var signature = new byte[128];
        if (!Convert.TryFromBase64String(ctx.Request.Headers[ReleaseSignatureHeader].ToString().Trim(), signature, out var signatureLength))
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status400BadRequest, $"{ReleaseSignatureHeader}: the release's signature, base64").ConfigureAwait(false);
            return;
        }

        byte[] archive;
        try
        {
            archive = await ReadBody(ctx, MaxFirmwareBytes).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RequestGuard.Refuse(ctx, e.StatusCode, "the release is too large").ConfigureAwait(false);
            return;
        }

        var result = station.UpdateFirmware(archive, signature.AsSpan(0, signatureLength), RequestedBy(ctx));
        if (!result.Accepted)
        {
            await RequestGuard.Refuse(ctx, StatusCodes.Status422UnprocessableEntity, result.Error!).ConfigureAwait(false);
            return;
        }

        await Json(ctx, result, WebJsonContext.Default.FirmwareUpdateResult).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBody(HttpContext ctx, int max)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        if (ctx.Request.ContentLength > max)
        {
            throw new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Route(HttpContext ctx, string name) => ctx.Request.RouteValues[name] as string ?? "";

    private static string RequestedBy(HttpContext ctx) => RequestGuard.CallerOf(ctx)?.Description ?? "web";

    private static IPAddress Remote(HttpContext ctx) => ctx.Connection.RemoteIpAddress ?? IPAddress.None;

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: admin password set from {Remote}")]
    private static partial void LogPasswordSet(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: first-start setup with a missing or wrong setup secret from {Remote}")]
    private static partial void LogWrongSetupSecret(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "web: login from {Remote}")]
    private static partial void LogLogin(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: wrong password from {Remote}")]
    private static partial void LogWrongPassword(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "web: configuration saved by {By}; applied: {Applied}; at next start: {Restart}")]
    private static partial void LogConfigSaved(ILogger logger, string by, string applied, string restart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: configuration change by {By} from {Remote} refused: {Why}")]
    private static partial void LogConfigRefused(ILogger logger, string by, string remote, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: configuration backup with secrets downloaded from {Remote}")]
    private static partial void LogBackupWithSecrets(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "web: API token '{Name}' created; it may: {Scopes}")]
    private static partial void LogTokenCreated(ILogger logger, string name, string scopes);

    [LoggerMessage(Level = LogLevel.Information, Message = "web: API token {Id} revoked")]
    private static partial void LogTokenRevoked(ILogger logger, string id);
}
