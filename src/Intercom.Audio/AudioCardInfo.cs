namespace Intercom.Audio;

/// <summary>A sound card ALSA knows (snd_card_next): its index and short name.</summary>
public sealed record AudioCardInfo(int Index, string Name);
