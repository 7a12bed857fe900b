using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DiceRoller.Dice;

namespace DiceRoller.Fairness;

/// <summary>
/// The verifiable draw stream of one roll (docs/fairness.md): the 32-bit big-endian values of
/// <c>HMAC-SHA256(key = server_seed, message = UTF-8("{client_seed}:{nonce}:{block}"))</c> for block = 0, 1, 2, ...,
/// eight per block, in order. A die of <c>s</c> faces takes the next value <c>v</c>; values at or above
/// <c>2^32 - (2^32 mod s)</c> are skipped (no bias); the face is <c>(v mod s) + min</c>. Built per roll; the OS CSPRNG
/// remains the only entropy (the server seed, and a hidden roll's secret). A rules-2 hidden roll's message is
/// <c>"{client_seed}:{nonce}:{block}:{hidden_secret}"</c> (the secret as lowercase hex, see <see cref="HiddenSecrets"/>).
/// </summary>
public sealed class SeededRandomSource : IRandomSource
{
    private const int ValuesPerBlock = 8;
    private readonly byte[] _serverSeed;
    private readonly string _clientSeed;
    private readonly long _nonce;
    private readonly string? _hiddenSecret;
    private readonly byte[] _block = new byte[32];
    private long _blockIndex = -1;
    private int _position = ValuesPerBlock;

    public SeededRandomSource(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce, string? hiddenSecret = null)
    {
        _hiddenSecret = hiddenSecret;
        ArgumentException.ThrowIfNullOrEmpty(clientSeed);
        ArgumentOutOfRangeException.ThrowIfLessThan(nonce, 1);
        _serverSeed = serverSeed.ToArray();
        _clientSeed = clientSeed;
        _nonce = nonce;
    }

    /// <summary>How many 32-bit values this roll consumed, skipped ones included (the permalink's <c>block_values_used</c>).</summary>
    public int ValuesUsed { get; private set; }

    public int NextInt(int minInclusive, int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxExclusive, minInclusive);
        var faces = (uint)((long)maxExclusive - minInclusive);
        var limit = (1UL << 32) - ((1UL << 32) % faces);
        while (true)
        {
            var value = NextValue();
            if (value < limit)
            {
                return (int)(minInclusive + (value % faces));
            }
        }
    }

    /// <summary>The next 32-bit value of the stream.</summary>
    public uint NextValue()
    {
        if (_position == ValuesPerBlock)
        {
            _blockIndex++;
            var message = Encoding.UTF8.GetBytes(_hiddenSecret is null
                ? string.Create(CultureInfo.InvariantCulture, $"{_clientSeed}:{_nonce}:{_blockIndex}")
                : string.Create(CultureInfo.InvariantCulture, $"{_clientSeed}:{_nonce}:{_blockIndex}:{_hiddenSecret}"));
            HMACSHA256.HashData(_serverSeed, message, _block);
            _position = 0;
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(_position * 4, 4));
        _position++;
        ValuesUsed++;
        return value;
    }
}
