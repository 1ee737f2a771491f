namespace Intercom.Audio.Native;

/// <summary>
/// Loads an asoundrc-style file into a private configuration tree for snd_pcm_open_lconf: the device names it defines are
/// used instead of the system's (tests use ALSA's "file" and "null" plugins this way, without sound hardware).
/// </summary>
internal static class AlsaConfigFile
{
    public static SafeAlsaConfigHandle Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new AudioDeviceException($"ALSA configuration '{path}': file not found");
        }

        SafeAlsaConfigHandle config;
        try
        {
            Check(path, LibAsound.snd_config_top(out config), "cannot create a configuration");
        }
        catch (DllNotFoundException e)
        {
            throw new AudioDeviceException($"ALSA configuration '{path}': libasound.so.2 is not installed ({e.Message})");
        }

        try
        {
            Check(path, LibAsound.snd_input_stdio_open(out var input, path, "r"), "cannot open");
            try
            {
                Check(path, LibAsound.snd_config_load(config, input), "cannot parse");
            }
            finally
            {
                _ = LibAsound.snd_input_close(input);
            }

            return config;
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }

    private static void Check(string path, int rc, string step)
    {
        if (rc < 0)
        {
            throw new AudioDeviceException($"ALSA configuration '{path}': {step}: {LibAsound.ErrorText(rc)}", rc);
        }
    }
}
