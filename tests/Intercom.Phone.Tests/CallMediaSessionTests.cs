using System.Net;
using Intercom.Audio;
using Intercom.Phone;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Phone.Tests;

/// <summary>
/// Two stations' call media on loopback, each with its own audio engine over WAV devices in real time: what one's
/// microphone file holds comes out of the other's speaker file, per codec, plain and over SRTP (SDES keys exchanged by the
/// two negotiators), and the first's tones (ringback) are mixed over the call on its own speaker only.
/// </summary>
public sealed class CallMediaSessionTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-media-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("PCMU", SrtpPolicy.Disabled)]
    [InlineData("G722", SrtpPolicy.Disabled)]
    [InlineData("opus", SrtpPolicy.Disabled)]
    [InlineData("PCMU", SrtpPolicy.Required)]
    [InlineData("opus", SrtpPolicy.Optional)]
    public async Task Each_station_hears_the_other(string codec, SrtpPolicy srtp)
    {
        var format = new[] { MediaFormat.Pcmu, MediaFormat.G722, MediaFormat.Opus }.First(f => f.EncodingName == codec);
        var options = new CallMediaOptions { RtpPortMin = 43000, RtpPortMax = 43999, Formats = [format], Srtp = srtp, MediaTimeout = TimeSpan.Zero };
        using (var doorAudio = Audio("door", 1000))
        using (var phoneAudio = Audio("phone", 440))
        using (var door = CallMediaSession.Create(IPAddress.Loopback, options, doorAudio))
        using (var phone = CallMediaSession.Create(IPAddress.Loopback, options, phoneAudio))
        {
            var offer = door.OfferAnswer.CreateOffer(hold: false);
            var answer = phone.OfferAnswer.AnswerOffer(offer);
            Assert.True(answer.Success, answer.Error);
            Assert.True(door.OfferAnswer.ApplyAnswer(answer.Answer!).Success);
            Assert.Equal(srtp != SrtpPolicy.Disabled, door.OfferAnswer.Negotiator.Media!.Srtp is not null);
            Assert.Same(door.Stream, doorAudio.Current);

            var deadline = DateTime.UtcNow + Wait;
            while (door.Stream.GetStatistics().FramesDecoded < 60 || phone.Stream.GetStatistics().FramesDecoded < 60)
            {
                Assert.True(DateTime.UtcNow < deadline, $"audio did not flow: door {door.Stream.GetStatistics()}, phone {phone.Stream.GetStatistics()}");
                await Task.Delay(20);
            }

            Assert.Equal(0, door.Rtp.SrtpFailures + phone.Rtp.SrtpFailures);
        }

        Assert.Equal(440, PeakFrequency(Tail(Path.Combine(_dir, "door-speaker.wav"))), 6.0);
        Assert.Equal(1000, PeakFrequency(Tail(Path.Combine(_dir, "phone-speaker.wav"))), 6.0);
    }

    [Fact]
    public void The_newest_call_gets_the_microphone_and_speaker_and_gives_them_back()
    {
        using var audio = new CallAudio(AudioEngine.Create(new AudioOptions { Driver = AudioDriver.Null }));
        var options = new CallMediaOptions { RtpPortMin = 44000, RtpPortMax = 44999 };
        using var first = CallMediaSession.Create(IPAddress.Loopback, options, audio);
        using var second = CallMediaSession.Create(IPAddress.Loopback, options, audio);
        audio.Connect(first.Stream);
        audio.Connect(second.Stream);
        Assert.Same(second.Stream, audio.Current);
        audio.Disconnect(second.Stream);
        Assert.Same(first.Stream, audio.Current);
        audio.Disconnect(first.Stream);
        Assert.Null(audio.Current);
    }

    [Theory]
    [InlineData(Intercom.Station.Calls.StationTone.Calling, true)]
    [InlineData(Intercom.Station.Calls.StationTone.Accepted, true)]
    [InlineData(Intercom.Station.Calls.StationTone.Rejected, true)]
    [InlineData(Intercom.Station.Calls.StationTone.None, false)]
    public void Station_tones_play_on_the_local_speaker(Intercom.Station.Calls.StationTone tone, bool playing)
    {
        using var audio = new CallAudio(AudioEngine.Create(new AudioOptions { Driver = AudioDriver.Null }));
        audio.PlayTone(tone);
        Assert.Equal(playing, audio.Engine.Sounds.IsPlaying);
    }

    private CallAudio Audio(string name, double toneHz)
    {
        var tone = new short[16000];
        for (var n = 0; n < tone.Length; n++)
        {
            tone[n] = (short)(8000 * Math.Sin(2 * Math.PI * toneHz * n / 16000));
        }

        var microphone = Path.Combine(_dir, $"{name}-microphone.wav");
        WavFile.Write(microphone, tone, 16000);
        return new CallAudio(AudioEngine.Create(new AudioOptions
        {
            Driver = AudioDriver.Wav,
            CaptureWavPath = microphone,
            PlaybackWavPath = Path.Combine(_dir, $"{name}-speaker.wav"),
            EchoControl = EchoControl.Off,
            NoiseSuppression = false,
        }));
    }

    private static short[] Tail(string path)
    {
        var (samples, rate) = WavFile.Read(path);
        Assert.Equal(16000, rate);
        Assert.True(samples.Length > rate, $"{path}: {samples.Length} samples");
        return samples[^(rate / 2)..];
    }

    private static double PeakFrequency(short[] x)
    {
        double best = 0, bestPower = -1;
        for (var f = 300.0; f <= 1200; f += 2)
        {
            double re = 0, im = 0;
            for (var n = 0; n < x.Length; n++)
            {
                re += x[n] * Math.Cos(2 * Math.PI * f * n / 16000);
                im -= x[n] * Math.Sin(2 * Math.PI * f * n / 16000);
            }

            if ((re * re) + (im * im) > bestPower)
            {
                bestPower = (re * re) + (im * im);
                best = f;
            }
        }

        return best;
    }
}
