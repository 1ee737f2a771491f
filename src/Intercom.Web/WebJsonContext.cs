using System.Text.Json.Serialization;
using Intercom.Station.Logging;
using Intercom.Web.Api;
using Intercom.Web.Security;

namespace Intercom.Web;

/// <summary>Source-generated JSON for every body the API reads or writes and for the state file: no reflection (NativeAOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StationView))]
[JsonSerializable(typeof(FirmwareUpdateResult))]
[JsonSerializable(typeof(StationEvent))]
[JsonSerializable(typeof(EventList))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(PasswordRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(LoginResult))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CallRequest))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(ActionResult))]
[JsonSerializable(typeof(ConfigSaved))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenCreated))]
[JsonSerializable(typeof(TokenList))]
[JsonSerializable(typeof(WebState))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
