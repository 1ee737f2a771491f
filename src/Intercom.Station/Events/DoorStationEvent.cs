using System.Text.Json.Serialization;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// Something that happened at the door station, as a fact with its ids (which button, which relay, whose code), raised
/// by the station's rules on <see cref="StationEventBus"/>. Everything that reports events consumes these: the event log
/// and its log line (through <see cref="StationEventFormatter"/>), the web page, MQTT and webhooks. Nobody recovers a fact
/// from a message's wording, so rewording a log line changes what a person reads and nothing else.
/// <para>The JSON "type" names the event for the page and the API (source-generated, no reflection).</para>
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AccountRegistrationChanged), "account_registration_changed")]
[JsonDerivedType(typeof(ApartmentDialled), "apartment_dialled")]
[JsonDerivedType(typeof(ButtonIgnored), "button_ignored")]
[JsonDerivedType(typeof(ButtonNotRouted), "button_not_routed")]
[JsonDerivedType(typeof(ButtonPressed), "button_pressed")]
[JsonDerivedType(typeof(StationCallStateChanged), "call_state_changed")]
[JsonDerivedType(typeof(CallEndingAfterOpen), "call_ending_after_open")]
[JsonDerivedType(typeof(CallTimeLimitReached), "call_time_limit_reached")]
[JsonDerivedType(typeof(CodeAccepted), "code_accepted")]
[JsonDerivedType(typeof(CodeEntryIgnored), "code_entry_ignored")]
[JsonDerivedType(typeof(CodeLockedOut), "code_locked_out")]
[JsonDerivedType(typeof(CodeLockoutEnded), "code_lockout_ended")]
[JsonDerivedType(typeof(CodeRejected), "code_rejected")]
[JsonDerivedType(typeof(DialRefused), "dial_refused")]
[JsonDerivedType(typeof(DoorContactChanged), "door_contact_changed")]
[JsonDerivedType(typeof(DoorHeldOpen), "door_held_open")]
[JsonDerivedType(typeof(ExitButtonPressed), "exit_button_pressed")]
[JsonDerivedType(typeof(IncomingCallAnswered), "incoming_call_answered")]
[JsonDerivedType(typeof(IncomingCallEnded), "incoming_call_ended")]
[JsonDerivedType(typeof(IncomingCallHungUp), "incoming_call_hung_up")]
[JsonDerivedType(typeof(IncomingCallRejected), "incoming_call_rejected")]
[JsonDerivedType(typeof(RegistrationChanged), "registration_changed")]
[JsonDerivedType(typeof(RelayChanged), "relay_changed")]
[JsonDerivedType(typeof(RelayHeld), "relay_held")]
[JsonDerivedType(typeof(RelayHoldRefused), "relay_hold_refused")]
[JsonDerivedType(typeof(RelayOpenRequested), "relay_open_requested")]
[JsonDerivedType(typeof(RelayReleased), "relay_released")]
[JsonDerivedType(typeof(RingGroupAnswered), "ring_group_answered")]
[JsonDerivedType(typeof(RingGroupCallEnded), "ring_group_call_ended")]
[JsonDerivedType(typeof(RingGroupCalling), "ring_group_calling")]
[JsonDerivedType(typeof(RingGroupHungUp), "ring_group_hung_up")]
[JsonDerivedType(typeof(RingGroupNextStep), "ring_group_next_step")]
[JsonDerivedType(typeof(RingGroupRingTimeout), "ring_group_ring_timeout")]
[JsonDerivedType(typeof(RingGroupRedirected), "ring_group_redirected")]
[JsonDerivedType(typeof(RingGroupRinging), "ring_group_ringing")]
[JsonDerivedType(typeof(RingGroupSkipped), "ring_group_skipped")]
[JsonDerivedType(typeof(RingGroupStepFailed), "ring_group_step_failed")]
[JsonDerivedType(typeof(RingGroupUnanswered), "ring_group_unanswered")]
[JsonDerivedType(typeof(StationLifecycleChanged), "station_lifecycle_changed")]
[JsonDerivedType(typeof(TamperChanged), "tamper_changed")]
[JsonDerivedType(typeof(UnknownApartment), "unknown_apartment")]
public abstract record DoorStationEvent
{
    /// <summary>The event log's category for this event (what the log keeps under a flood, how the page groups it).</summary>
    [JsonIgnore]
    public abstract StationEventKind Kind { get; }
}
