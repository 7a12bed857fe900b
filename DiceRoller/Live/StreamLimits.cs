using Microsoft.Extensions.Options;

namespace DiceRoller.Live;

/// <summary>
/// The open event streams of this app instance, counted per player and per client address. A player's tab past
/// <see cref="LiveOptions.MaxStreamsPerPlayer"/> takes the place of their oldest stream (which is told and ends);
/// a stream past <see cref="LiveOptions.MaxStreamsPerAddress"/> is refused. Counts are per instance: behind a load
/// balancer the caps hold per instance (a client spread over N instances may hold up to N times as many).
/// </summary>
public sealed class StreamLimits(IOptions<LiveOptions> options)
{
    private readonly LiveOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedList<Lease>> _byPlayer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);

    /// <summary>One open stream's place; disposing it (when the stream's request ends) frees the place.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly StreamLimits _limits;
        private readonly TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Lease(StreamLimits limits, string player, string address)
        {
            _limits = limits;
            Player = player;
            Address = address;
        }

        internal string Player { get; }

        internal string Address { get; }

        internal LinkedListNode<Lease>? Node { get; set; }

        /// <summary>Completes when a newer stream of the same player took this one's place: the stream says so and ends.</summary>
        public Task Replaced => _replaced.Task;

        internal void Replace() => _replaced.TrySetResult();

        public void Dispose() => _limits.Release(this);
    }

    /// <summary>A place for a new stream of <paramref name="playerId"/> in <paramref name="roomCode"/>, or null when the address is at its cap.</summary>
    public Lease? TryOpen(string roomCode, string playerId, string address)
    {
        var lease = new Lease(this, $"{roomCode}/{playerId}", address);
        List<Lease> replaced = [];
        lock (_gate)
        {
            var open = _byAddress.GetValueOrDefault(address);
            if (open >= _options.MaxStreamsPerAddress)
            {
                return null;
            }

            _byAddress[address] = open + 1;
            if (!_byPlayer.TryGetValue(lease.Player, out var streams))
            {
                _byPlayer[lease.Player] = streams = new LinkedList<Lease>();
            }

            lease.Node = streams.AddLast(lease);
            while (streams.Count > _options.MaxStreamsPerPlayer)
            {
                var oldest = streams.First!.Value;
                streams.RemoveFirst();
                oldest.Node = null;
                replaced.Add(oldest);
            }
        }

        replaced.ForEach(r => r.Replace());
        return lease;
    }

    /// <summary>Streams open on this instance for the address (for tests and metrics).</summary>
    public int OpenFrom(string address)
    {
        lock (_gate)
        {
            return _byAddress.GetValueOrDefault(address);
        }
    }

    private void Release(Lease lease)
    {
        lock (_gate)
        {
            if (lease.Node is { } node && _byPlayer.TryGetValue(lease.Player, out var streams))
            {
                streams.Remove(node);
                lease.Node = null;
                if (streams.Count == 0)
                {
                    _byPlayer.Remove(lease.Player);
                }
            }

            if (_byAddress.TryGetValue(lease.Address, out var open))
            {
                if (open <= 1)
                {
                    _byAddress.Remove(lease.Address);
                }
                else
                {
                    _byAddress[lease.Address] = open - 1;
                }
            }
        }
    }
}
