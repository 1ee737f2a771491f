using System.Collections.Concurrent;
using Intercom.Media.Dtls;

namespace Intercom.Media.Tests.Dtls;

/// <summary>
/// Two DTLS endpoints joined by an in-memory datagram pipe that loses what <see cref="Lose"/> says, delivering on the
/// test's thread (<see cref="PumpUntil"/>) so that neither endpoint is re-entered from inside its own send.
/// </summary>
internal sealed class DatagramPipe
{
    private readonly BlockingCollection<(bool ToServer, byte[] Datagram)> _inFlight = [];

    public DatagramPipe() => (ToServer, ToClient) = (new Side(this, toServer: true), new Side(this, toServer: false));

    public Side ToServer { get; }

    public Side ToClient { get; }

    public DtlsEndpoint? Client { get; set; }

    public DtlsEndpoint? Server { get; set; }

    /// <summary>Decides per datagram (direction, its number in that direction from 0) whether it is lost.</summary>
    public Func<bool, int, bool> Lose { get; set; } = (_, _) => false;

    public int Lost { get; private set; }

    public int Delivered { get; private set; }

    /// <summary>Delivers datagrams until <paramref name="done"/> holds or <paramref name="timeout"/> passes; false on timeout.</summary>
    public bool PumpUntil(Func<bool> done, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (!done())
        {
            TimeSpan left = end - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (_inFlight.TryTake(out var item, left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50)))
            {
                Delivered++;
                (item.ToServer ? Server : Client)!.Receive(item.Datagram);
            }
        }

        return true;
    }

    internal sealed class Side(DatagramPipe pipe, bool toServer) : IDtlsDatagramSender
    {
        private int _count;

        public List<byte[]> Sent { get; } = [];

        public bool SendDtls(ReadOnlySpan<byte> datagram)
        {
            byte[] copy = datagram.ToArray();
            lock (Sent)
            {
                Sent.Add(copy);
            }

            if (pipe.Lose(toServer, Interlocked.Increment(ref _count) - 1))
            {
                pipe.Lost++;
                return true;
            }

            pipe._inFlight.Add((toServer, copy));
            return true;
        }
    }
}
