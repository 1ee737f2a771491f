using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>
/// speexdsp's own stderr warnings become log entries naming the call, at most one a minute per message, and every other
/// byte written to stderr still arrives where stderr went before. The real library and the real descriptor 2 of this test
/// process: the "original" stderr is a pipe of the test's own, so what passed through can be read back.
/// </summary>
[Collection(StandardErrorCollection.Name)]
public sealed unsafe partial class NativeAudioWarningsTests
{
    private const int Rate = 16000;
    private const int Frame = 320;

    [Fact]
    public void The_throttle_logs_a_message_once_a_minute_with_the_call_and_the_count_held_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new CollectingLogger();
        var call = "call 3";
        var throttle = new NativeWarningThrottle(logger, time, () => call, TimeSpan.FromMinutes(1));
        var funny = "warning: The echo canceller started acting funny and got slapped (reset). It swears it will behave now.\n"u8;

        Assert.True(throttle.TryTake(funny));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(throttle.TryTake(funny));
        Assert.True(throttle.TryTake(funny));
        Assert.Single(logger.Entries);
        Assert.Equal((LogLevel.Warning, "speexdsp (call 3): The echo canceller started acting funny and got slapped (reset). It swears it will behave now. (0 more like it since the last report)"), logger.Entries[0]);

        call = "call 4";
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(throttle.TryTake(funny));
        Assert.Equal(2, logger.Entries.Count);
        Assert.EndsWith("(2 more like it since the last report)", logger.Entries[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("speexdsp (call 4): ", logger.Entries[1].Message, StringComparison.Ordinal);

        // Another message is its own entry; a notification is information; other text is not speexdsp's.
        Assert.True(throttle.TryTake("warning: Unknown speex_echo_ctl request:  42\n"u8));
        Assert.True(throttle.TryTake("notification: something\n"u8));
        Assert.False(throttle.TryTake("ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\n"u8));
        Assert.False(throttle.TryTake("Unhandled exception. System.Exception: warning: not at the start\n"u8));
        Assert.Equal(4, logger.Entries.Count);
        Assert.Equal(LogLevel.Information, logger.Entries[3].Level);
        Assert.Equal(6, throttle.Taken); // four echo resets (two logged) and two other speexdsp lines
    }

    [Fact]
    public void The_echo_cancellers_reset_warning_from_speexdsp_is_logged_not_printed_and_other_stderr_passes_through()
    {
        NativeLibraries.RequireSpeexDsp();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new CollectingLogger();
        string passedThrough;
        using (var original = RedirectedStandardError.Start())
        {
            var warnings = NativeAudioWarnings.Start(logger, time, () => "call 7");
            Assert.NotNull(warnings);
            try
            {
                using var speex = new SpeexProcessor(Frame, Rate, cancelEcho: true, tailMs: 200, suppressNoise: false);
                var echoPath = new EchoPathThatDisappears(seed: 1);

                // Each cycle: the filter converges on an echo, then the echo vanishes while the speaker plays on, and the
                // filter adds more than it removes for a second: speexdsp resets it and prints its warning.
                echoPath.Run(speex);
                WaitUntil(() => warnings.LinesTaken == 1);
                Assert.Single(logger.Entries);
                Assert.Equal(LogLevel.Warning, logger.Entries[0].Level);
                Assert.StartsWith("speexdsp (call 7): The echo canceller started acting funny", logger.Entries[0].Message, StringComparison.Ordinal);

                echoPath.Run(speex);
                WaitUntil(() => warnings.LinesTaken == 2);
                Assert.Single(logger.Entries);

                time.Advance(TimeSpan.FromMinutes(1));
                echoPath.Run(speex);
                WaitUntil(() => warnings.LinesTaken == 3);
                Assert.Equal(2, logger.Entries.Count);
                Assert.EndsWith("(1 more like it since the last report)", logger.Entries[1].Message, StringComparison.Ordinal);

                // Not speexdsp's: through to the original stderr, a partial line included.
                RedirectedStandardError.WriteToDescriptor2("ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\nno newline yet"u8);
            }
            finally
            {
                warnings.Dispose();
            }

            passedThrough = original.Finish();
        }

        Assert.Contains("ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\nno newline yet", passedThrough, StringComparison.Ordinal);
        Assert.DoesNotContain("acting funny", passedThrough, StringComparison.Ordinal);
        Assert.Equal(2, logger.Entries.Count);
    }

    private static void WaitUntil(Func<bool> condition) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), "timed out waiting for the stderr reader");

    /// <summary>Speaker noise; for 250 frames the microphone hears it exactly, then for 250 frames it hears nothing.</summary>
    private sealed class EchoPathThatDisappears(int seed)
    {
        private readonly Random random = new(seed);
        private readonly short[] played = new short[Frame];
        private readonly short[] microphone = new short[Frame];
        private readonly short[] output = new short[Frame];

        public void Run(SpeexProcessor speex)
        {
            for (var f = 0; f < 500; f++)
            {
                for (var i = 0; i < Frame; i++)
                {
                    played[i] = (short)random.Next(-10000, 10000);
                    microphone[i] = f < 250 ? played[i] : (short)0;
                }

                speex.Process(microphone, played, output);
            }
        }
    }

    private sealed class CollectingLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Message)> entries = [];

        public List<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (entries)
                {
                    return [.. entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (entries)
            {
                entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    /// <summary>Descriptor 2 of this process pointed at a pipe of the test's for the duration; put back on dispose.</summary>
    private sealed partial class RedirectedStandardError : IDisposable
    {
        private readonly int saved;
        private readonly int readEnd;
        private int writeEnd;
        private bool restored;

        private RedirectedStandardError(int saved, int readEnd, int writeEnd)
        {
            this.saved = saved;
            this.readEnd = readEnd;
            this.writeEnd = writeEnd;
        }

        public static RedirectedStandardError Start()
        {
            var ends = stackalloc int[2];
            Assert.Equal(0, pipe2(ends, 0x80000));
            var saved = dup(2);
            Assert.True(saved >= 0);
            Assert.True(dup2(ends[1], 2) >= 0);
            return new RedirectedStandardError(saved, ends[0], ends[1]);
        }

        public static void WriteToDescriptor2(ReadOnlySpan<byte> bytes)
        {
            fixed (byte* p = bytes)
            {
                Assert.Equal(bytes.Length, (int)write(2, p, (nuint)bytes.Length));
            }
        }

        /// <summary>Puts the real stderr back and returns everything written to the pipe.</summary>
        public string Finish()
        {
            Restore();
            var text = new MemoryStream();
            var buffer = new byte[4096];
            fixed (byte* p = buffer)
            {
                nint n;
                while ((n = read(readEnd, p, (nuint)buffer.Length)) > 0)
                {
                    text.Write(buffer, 0, (int)n);
                }
            }

            return Encoding.UTF8.GetString(text.ToArray());
        }

        public void Dispose()
        {
            Restore();
            _ = close(readEnd);
        }

        private void Restore()
        {
            if (restored)
            {
                return;
            }

            restored = true;
            _ = dup2(saved, 2);
            _ = close(saved);
            _ = close(writeEnd);
            writeEnd = -1;
        }

        [LibraryImport("libc.so.6")]
        private static partial int pipe2(int* fds, int flags);

        [LibraryImport("libc.so.6")]
        private static partial int dup(int fd);

        [LibraryImport("libc.so.6")]
        private static partial int dup2(int oldFd, int newFd);

        [LibraryImport("libc.so.6")]
        private static partial int close(int fd);

        [LibraryImport("libc.so.6")]
        private static partial nint read(int fd, byte* buffer, nuint count);

        [LibraryImport("libc.so.6")]
        private static partial nint write(int fd, byte* buffer, nuint count);
    }
}

/// <summary>Tests that take over descriptor 2 run alone: another test's stderr would land in their pipe.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandardErrorCollection
{
    public const string Name = "standard error";
}
