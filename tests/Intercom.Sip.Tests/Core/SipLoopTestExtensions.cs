using Intercom.Sip.Core;

namespace Intercom.Sip.Tests.Core;

/// <summary>Lets a test thread run code on a dedicated-thread <see cref="SipLoop"/> and wait for it, with a bound.</summary>
internal static class SipLoopTestExtensions
{
    public static T Invoke<T>(this SipLoop loop, Func<T> action)
    {
        using var done = new ManualResetEventSlim();
        T result = default!;
        Exception? failure = null;
        loop.Post(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                done.Set();
            }
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)), "the SIP loop did not run the action");
        return failure is null ? result : throw new InvalidOperationException("Loop action failed", failure);
    }

    public static void Invoke(this SipLoop loop, Action action) => loop.Invoke(() =>
    {
        action();
        return 0;
    });
}
