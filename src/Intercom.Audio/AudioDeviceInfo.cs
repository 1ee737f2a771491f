namespace Intercom.Audio;

/// <summary>An ALSA PCM the user can pick on the web page: its name for the configuration and ALSA's description.</summary>
/// <param name="Name">The PCM name to put in captureDevice/playbackDevice ("plughw:CARD=Device,DEV=0").</param>
/// <param name="Description">ALSA's human description, lines joined by " — ".</param>
/// <param name="CanCapture">Usable as a microphone.</param>
/// <param name="CanPlay">Usable as a speaker.</param>
public sealed record AudioDeviceInfo(string Name, string Description, bool CanCapture, bool CanPlay);
