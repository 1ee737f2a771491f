using System.Net;
using Intercom.Audio;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Phone.Tests;

/// <summary>The phone alone (no configuration file, no station) with the two accounts of <see cref="TwoAccountPbxs"/>, over UDP, PCMU, no audio device.</summary>
internal static class TwoAccountPhone
{
    public static SipPhone Start(TwoAccountPbxs pbxs, bool register) => SipPhone.Start(
        new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door-a", Product = "Intercom/test" } },
        [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
        new PhoneOptions
        {
            Name = "Front door",
            Accounts = [.. pbxs.Accounts.Select(a => new AccountOptions
            {
                Id = a.Id, AddressOfRecord = a.AddressOfRecord, DisplayName = a.DisplayName, Register = register, Password = a.Password, KeepAliveInterval = null,
            })],
            Media = new CallMediaOptions { Formats = [Media.Sdp.MediaFormat.Pcmu] },
            Audio = new AudioOptions { Driver = AudioDriver.Null },
        },
        TimeProvider.System, NullLoggerFactory.Instance);
}
