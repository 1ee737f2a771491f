using System.Runtime.InteropServices;
using Intercom.Audio.Native;

namespace Intercom.Audio;

/// <summary>Lists sound cards and PCM devices for the web page (snd_card_next, snd_device_name_hint). Empty without ALSA.</summary>
public static unsafe class AlsaDeviceCatalog
{
    /// <summary>The sound cards present now, in index order.</summary>
    public static IReadOnlyList<AudioCardInfo> ListCards()
    {
        var cards = new List<AudioCardInfo>();
        try
        {
            var card = -1;
            while (LibAsound.snd_card_next(&card) == 0 && card >= 0)
            {
                nint name = 0;
                var text = LibAsound.snd_card_get_name(card, &name) == 0 ? TakeString(name) : null;
                cards.Add(new AudioCardInfo(card, text ?? $"card {card}"));
            }
        }
        catch (DllNotFoundException)
        {
            // No libasound: no cards.
        }

        return cards;
    }

    /// <summary>The PCM devices ALSA advertises (hints of all cards and of the configuration, "null" left out).</summary>
    public static IReadOnlyList<AudioDeviceInfo> ListDevices()
    {
        var devices = new List<AudioDeviceInfo>();
        try
        {
            nint hints = 0;
            if (LibAsound.snd_device_name_hint(-1, "pcm", &hints) < 0 || hints == 0)
            {
                return devices;
            }

            try
            {
                for (var entry = (nint*)hints; *entry != 0; entry++)
                {
                    var name = TakeString(LibAsound.snd_device_name_get_hint(*entry, "NAME"));
                    var description = TakeString(LibAsound.snd_device_name_get_hint(*entry, "DESC"));
                    var direction = TakeString(LibAsound.snd_device_name_get_hint(*entry, "IOID"));
                    if (name is null or "null")
                    {
                        continue;
                    }

                    // IOID is absent for devices that do both directions.
                    devices.Add(new AudioDeviceInfo(
                        name,
                        (description ?? string.Empty).Replace("\n", " — ", StringComparison.Ordinal),
                        CanCapture: direction is null or "Input",
                        CanPlay: direction is null or "Output"));
                }
            }
            finally
            {
                _ = LibAsound.snd_device_name_free_hint(hints);
            }
        }
        catch (DllNotFoundException)
        {
            // No libasound: no devices.
        }

        return devices;
    }

    // alsa-lib hands out malloc'd strings for these: copy, then free.
    private static string? TakeString(nint text)
    {
        if (text == 0)
        {
            return null;
        }

        var value = Marshal.PtrToStringUTF8(text);
        LibC.free(text);
        return value;
    }
}
