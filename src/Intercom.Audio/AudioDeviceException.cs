namespace Intercom.Audio;

/// <summary>An audio device could not be opened or configured; the message names the device and the system's reason.</summary>
public sealed class AudioDeviceException : Exception
{
    public AudioDeviceException()
    {
    }

    public AudioDeviceException(string message)
        : base(message)
    {
    }

    public AudioDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AudioDeviceException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The negative errno ALSA returned, or 0 when the failure has no code.</summary>
    public int ErrorCode { get; }
}
