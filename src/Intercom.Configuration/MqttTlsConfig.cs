namespace Intercom.Configuration;

/// <summary>TLS to the MQTT broker (usually port 8883).</summary>
public sealed class MqttTlsConfig
{
    public bool Enabled { get; set; }

    /// <summary>PEM bundle of the CAs trusted for the broker instead of the system store (a home broker's own CA).</summary>
    public string? CaFile { get; set; }

    /// <summary>Check the broker's certificate chain and name. Only a lab setup turns this off.</summary>
    public bool VerifyPeer { get; set; } = true;

    /// <summary>PEM client certificate, for brokers that authenticate clients by certificate.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? PrivateKeyFile { get; set; }
}
