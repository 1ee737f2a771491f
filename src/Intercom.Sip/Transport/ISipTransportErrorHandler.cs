namespace Intercom.Sip.Transport;

/// <summary>Receives, on the SIP loop, the failure of a send it started (RFC 3261 §18.4: transport errors go to the layer above).</summary>
public interface ISipTransportErrorHandler
{
    /// <summary>A message sent to <paramref name="destination"/> could not be delivered.</summary>
    void OnTransportError(SipDestination destination, SipTransportError error);
}
