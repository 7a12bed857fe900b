using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DiceRoller.Fairness;

namespace DiceRoller.Tests.Fairness;

public class SeededRandomSourceTests
{
    private static readonly byte[] Seed = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    /// <summary>The stream written out from the scheme's definition, independently of the class.</summary>
    private static uint[] Block(string clientSeed, long nonce, int block)
    {
        var mac = HMACSHA256.HashData(Seed, Encoding.UTF8.GetBytes($"{clientSeed}:{nonce}:{block}"));
        return Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadUInt32BigEndian(mac.AsSpan(i * 4))).ToArray();
    }

    [Fact]
    public void Values_are_the_big_endian_words_of_the_hmac_blocks_in_order()
    {
        var stream = new SeededRandomSource(Seed, "player-seed", 3);
        var expected = Block("player-seed", 3, 0).Concat(Block("player-seed", 3, 1)).ToArray();

        var actual = Enumerable.Range(0, 16).Select(_ => stream.NextValue()).ToArray();

        Assert.Equal(expected, actual);
        Assert.Equal(16, stream.ValuesUsed);
    }

    [Fact]
    public void A_die_is_the_value_modulo_its_faces_plus_one()
    {
        var values = Block("abc", 1, 0);
        var stream = new SeededRandomSource(Seed, "abc", 1);

        var faces = values.Take(4).Select(_ => stream.NextInt(1, 21)).ToArray();

        Assert.Equal(values.Take(4).Select(v => (int)(v % 20) + 1), faces);
    }

    [Fact]
    public void Values_at_or_above_the_rejection_limit_are_skipped()
    {
        // A die of 2^31 + 1 faces rejects almost half of all values (those >= 2^31 + 1): find a nonce whose first
        // value is rejected, then check the draw used the first accepted value instead.
        const long faces = (1L << 31) + 1;
        var limit = (1UL << 32) - ((1UL << 32) % faces);
        var nonce = Enumerable.Range(1, 1000).First(n => Block("r", n, 0)[0] >= limit);
        var values = Block("r", nonce, 0);
        var stream = new SeededRandomSource(Seed, "r", nonce);

        var face = stream.NextInt(int.MinValue, 1);

        var firstAccepted = values.First(v => v < limit);
        Assert.Equal(int.MinValue + (long)(firstAccepted % faces), face);
        Assert.True(stream.ValuesUsed >= 2);
    }

    [Fact]
    public void Different_client_seeds_or_nonces_give_different_streams()
    {
        var a = new SeededRandomSource(Seed, "a", 1).NextValue();
        Assert.NotEqual(a, new SeededRandomSource(Seed, "b", 1).NextValue());
        Assert.NotEqual(a, new SeededRandomSource(Seed, "a", 2).NextValue());
        Assert.Equal(a, new SeededRandomSource(Seed, "a", 1).NextValue());
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("Az09_-", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("ünï", false)]
    [InlineData("١٢", false)]
    public void Client_seeds_are_1_to_64_characters_of_letters_digits_underscore_and_dash(string seed, bool valid)
    {
        Assert.Equal(valid, ClientSeed.IsValid(seed));
        Assert.False(ClientSeed.IsValid(new string('a', 65)));
        Assert.True(ClientSeed.IsValid(ClientSeed.Generate()));
    }

    [Fact]
    public void The_hash_line_joins_the_fields_with_bars_and_the_dice_with_commas()
    {
        var input = new RollHash.Input(RollHash.Genesis, "roll-1", 1, "player-1", "2d6+1", [3, 5], 9, "cs", 1, "c0ffee", "");

        Assert.Equal($"{new string('0', 64)}|roll-1|1|player-1|2d6+1|3,5|9|cs|1|c0ffee|", RollHash.Line(input));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RollHash.Line(input)))), RollHash.Compute(input));
        Assert.Equal(64, RollHash.Compute(input).Length);
    }

    [Fact]
    public void The_commitment_is_the_lowercase_hex_sha256_of_the_seed()
    {
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Seed)), RoomSeed.Commitment(Seed));
        Assert.Equal(Seed, RoomSeed.FromHex(RoomSeed.ToHex(Seed)));
        Assert.Null(RoomSeed.FromHex("zz"));
        Assert.Equal(32, RoomSeed.Create().Length);
    }
}
