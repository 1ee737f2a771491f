using System.Globalization;
using Intercom.Station.Calls;

namespace Intercom.Station.Events;

/// <summary>
/// Writes a <see cref="DoorStationEvent"/> as the line a person reads in the event log, the journal and the page: the
/// one place the wording lives. Nothing reads these lines back (integrations and the page use the typed events), so
/// a subclass may reword every line; tests do that to prove it. Never writes codes or passwords (the events hold none).
/// </summary>
public class StationEventFormatter
{
    /// <summary>The wording the station ships with.</summary>
    public static StationEventFormatter Default { get; } = new();

    /// <summary>The log line for <paramref name="e"/>, or null for an event that is not a line of the log.</summary>
    public virtual string? Describe(DoorStationEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            StationLifecycleChanged x => x.Stage switch
            {
                StationLifecycle.Started => "station started",
                StationLifecycle.Stopped => "station stopped",
                _ => "configuration applied",
            },
            ButtonPressed x => $"button {x.ButtonId} pressed",
            ButtonIgnored => "button ignored during the call",
            ButtonNotRouted x => x.Reason,
            RelayChanged x => x.Energised ? $"{x.RelayId} energised" : $"{x.RelayId} released",
            RelayOpenRequested x => x.Opened ? $"{x.RelayId} opened by {x.RequestedBy}" : $"{x.RelayId}: open by {x.RequestedBy} refused",
            RelayHeld x => $"{x.RelayId} held open by {x.By}{(x.Until is { } until ? " until " + until.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "")}",
            RelayReleased x => x.WasHeld ? $"{x.RelayId} hold ended by {x.By}" : $"{x.RelayId} released by {x.By}",
            RelayHoldRefused x => $"{x.RelayId}: hold by {x.By} refused ({x.Reason})",
            ExitButtonPressed x => x.Opened ? "exit button: door released" : "exit button: door release refused",
            DoorContactChanged x => !x.Open ? "door closed" : x.Forced ? "door opened without electric release" : "door opened",
            DoorHeldOpen x => Invariant($"door held open longer than {x.Seconds} s"),
            TamperChanged x => x.Active ? "tamper switch: housing opened" : "tamper switch: housing closed",
            RegistrationChanged x => x.Registered ? $"registered ({x.Detail})" : $"not registered ({x.Detail})",
            AccountRegistrationChanged x => $"account {x.AccountId}: {StateOf(x.State)}{(x.Registrar is null ? "" : $" via {x.Registrar}")} [{x.Reason}]",
            CodeAccepted { User: { } user } x => $"open accepted from the {x.Path} by '{user}' on {x.Scope}: opening {x.RelayId}",
            CodeAccepted x => $"code{(string.IsNullOrEmpty(x.EntryId) ? "" : $" '{x.EntryId}'")} accepted via {x.Path} on {x.Scope}: opening {x.RelayId}",
            CodeRejected x => Invariant(
                $"wrong code via {x.Path} on {x.Scope}{(x.Source is null ? "" : $" from {x.Source}")} ({x.Failures} of {x.MaxFailures}; station {x.StationFailures} of {x.StationMaxFailures})"),
            CodeLockedOut x => Invariant(
                $"{(x.Caller is null ? "station" : Caller(x.Caller))} locked out for {x.Seconds} s after {x.AfterFailures} wrong codes{(x.InARow > 1 ? $" (lockout {x.InARow} in a row)" : "")}"),
            CodeLockoutEnded x => x.Caller is null ? "station lockout ended" : $"{Caller(x.Caller)} lockout ended",
            CodeEntryIgnored x => $"code entry via {x.Path} on {x.Scope} ignored: {(x.Caller is null ? "the station" : Caller(x.Caller))} is locked out",
            ApartmentDialled x => $"keypad: apartment {x.Apartment} dialled",
            UnknownApartment => "keypad: unknown apartment",
            DialRefused x => x.Reason == DialRefusal.CallInProgress
                ? $"{x.Origin}: cannot dial, a call is in progress"
                : $"{x.Origin}: not a dialable target",
            RingGroupCalling x => Invariant(
                $"{x.Origin}: calling ring group {x.RingGroupId} ({x.Mode.ToString().ToLowerInvariant()}, {x.Steps} step(s))"),
            RingGroupRinging x => $"ring group {x.RingGroupId}: ringing",
            RingGroupRedirected x => Invariant($"ring group {x.RingGroupId}: {x.Call} forwarded ({x.SipStatus}) to {x.Target}"),
            RingGroupAnswered x => $"ring group {x.RingGroupId}: answered ({x.Call})",
            RingGroupCallEnded x => $"ring group {x.RingGroupId}: call ended ({EndOf(x.Reason, x.SipStatus)})",
            RingGroupStepFailed x => Invariant($"ring group {x.RingGroupId}: step {x.Step} failed ({EndOf(x.Reason, x.SipStatus)})"),
            RingGroupSkipped x => $"ring group {x.RingGroupId}: button skips to the next target",
            RingGroupNextStep x => Invariant($"ring group {x.RingGroupId}: step {x.Step} of {x.Steps}"),
            RingGroupRingTimeout x => Invariant($"ring group {x.RingGroupId}: no answer within {x.Seconds} s"),
            RingGroupUnanswered x => $"ring group {x.RingGroupId}: nobody answered ({x.Outcome})",
            RingGroupHungUp x => $"ring group {x.RingGroupId}: hung up by {x.By}",
            CallEndingAfterOpen x => Invariant($"{x.RelayId} opened by {x.OpenedBy} during {x.Call}: the call ends in {x.Seconds} s"),
            CallTimeLimitReached x => x.RingGroupId is null
                ? Invariant($"incoming {x.Call}: maximum call time {x.Seconds} s reached")
                : Invariant($"ring group {x.RingGroupId}: maximum call time {x.Seconds} s reached"),
            IncomingCallRejected x => Rejection(x),
            IncomingCallAnswered x => $"call from {x.Caller ?? Unknown} ({OriginOf(x.Origin)}) auto-answered ({x.Call})",
            IncomingCallEnded x => $"incoming {x.Call} ended ({x.Reason})",
            IncomingCallHungUp x => $"incoming {x.Call} hung up by {x.By}",
            _ => null,
        };
    }

    private const string Unknown = "(unknown)";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Caller(string caller) => caller == "keypad" || caller.StartsWith("call ", StringComparison.Ordinal)
        ? caller
        : "caller " + caller;

    // No "registered (" in these lines: that is the station-wide line (RegistrationChanged), which the black-box tests wait for.
    private static string StateOf(AccountRegistrationState state) => state switch
    {
        AccountRegistrationState.Registering => "registering",
        AccountRegistrationState.Registered => "registered",
        AccountRegistrationState.Retrying => "registration failed, retrying",
        AccountRegistrationState.AuthenticationFailed => "credentials refused",
        AccountRegistrationState.Unregistering => "removing its binding",
        AccountRegistrationState.Stopped => "stopped",
        _ => "unregistered",
    };

    private static string EndOf(CallEndReason reason, int sipStatus) =>
        sipStatus > 0 ? Invariant($"{reason}, {sipStatus}") : reason.ToString();

    private static string OriginOf(CallerOrigin origin) => origin switch
    {
        CallerOrigin.Registrar => "through the registrar",
        CallerOrigin.TrustedSource => "from a trusted source",
        CallerOrigin.Authenticated => "authenticated",
        CallerOrigin.WebPage => "from the web page",
        _ => "unverified",
    };

    private static string Rejection(IncomingCallRejected x)
    {
        var caller = x.Caller ?? Unknown;
        var status = x.SipStatus.ToString(CultureInfo.InvariantCulture);
        return x.Reason switch
        {
            IncomingRefusal.Unverified => $"call from {caller} rejected: its source is not verified ({status})",
            IncomingRefusal.AutoAnswerOff => $"call from {caller} rejected: auto-answer is off ({status})",
            IncomingRefusal.NotAllowed => $"call from {caller} ({OriginOf(x.Origin)}) rejected: not on the allowlist ({status})",
            _ => $"call from {caller} rejected: busy ({status})",
        };
    }
}
