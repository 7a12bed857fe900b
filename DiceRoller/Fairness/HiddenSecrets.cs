using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DiceRoller.Fairness;

/// <summary>
/// The secrets of a seed's hidden rolls (docs/fairness.md, "Hidden-roll secrets", rules 2). With each room seed the server draws a
/// second, never-published 32-byte hidden key; secret <c>k</c> is <c>HMAC-SHA256(hidden_key, UTF-8("hidden:{k}"))</c> for
/// k = 0 .. <see cref="Count"/> - 1. The leaves <c>SHA-256(0x00 || uint32_be(k) || secret_k)</c> form a Merkle tree
/// (nodes <c>SHA-256(0x01 || left || right)</c>) whose root is committed with the seed. The k-th hidden roll under the
/// commitment mixes secret k into its draw; its reveal publishes that secret and its path (sibling hashes, leaf level first).
/// </summary>
public static class HiddenSecrets
{
    /// <summary>Hidden rolls per commitment; the next one asks the admin to reveal and rotate.</summary>
    public const int Count = 256;

    public const int Depth = 8;
    public const int KeyLength = 32;

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>Secret <paramref name="index"/> of <paramref name="hiddenKey"/>.</summary>
    public static byte[] Secret(ReadOnlySpan<byte> hiddenKey, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return HMACSHA256.HashData(hiddenKey, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"hidden:{index}")));
    }

    public static byte[] Leaf(int index, ReadOnlySpan<byte> secret)
    {
        Span<byte> input = stackalloc byte[1 + 4 + 32];
        input[0] = 0x00;
        BinaryPrimitives.WriteUInt32BigEndian(input[1..], (uint)index);
        secret.CopyTo(input[5..]);
        return SHA256.HashData(input[..(5 + secret.Length)]);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[65];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[33..]);
        return SHA256.HashData(input);
    }

    /// <summary>The tree's root as lowercase hex.</summary>
    public static string Root(ReadOnlySpan<byte> hiddenKey) => Build(hiddenKey).Root;

    /// <summary>The whole tree of a hidden key (256 HMACs and 511 hashes): build it once per seed and open many secrets from it.</summary>
    public static Tree Build(ReadOnlySpan<byte> hiddenKey) => new(Levels(hiddenKey));

    /// <summary>Secret <paramref name="index"/> and its Merkle path (sibling hashes, leaf level first), all lowercase hex.</summary>
    public static (string Secret, IReadOnlyList<string> Path) Open(ReadOnlySpan<byte> hiddenKey, int index) => Open(Build(hiddenKey), hiddenKey, index);

    /// <summary>Secret <paramref name="index"/> of <paramref name="hiddenKey"/> with its path read from its already built <paramref name="tree"/>.</summary>
    public static (string Secret, IReadOnlyList<string> Path) Open(Tree tree, ReadOnlySpan<byte> hiddenKey, int index)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var levels = tree.Levels;
        var path = new string[Depth];
        var at = index;
        for (var level = 0; level < Depth; level++)
        {
            path[level] = Convert.ToHexStringLower(levels[level][at ^ 1]);
            at >>= 1;
        }

        return (Convert.ToHexStringLower(Secret(hiddenKey, index)), path);
    }

    /// <summary>Whether <paramref name="secretHex"/> is leaf <paramref name="index"/> of the tree with root <paramref name="rootHex"/>.</summary>
    public static bool Verify(string rootHex, int index, string secretHex, IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index is < 0 or >= Count || path.Count != Depth || !IsHex32(secretHex) || !IsHex32(rootHex) || !path.All(IsHex32))
        {
            return false;
        }

        var node = Leaf(index, Convert.FromHexString(secretHex));
        var at = index;
        foreach (var sibling in path)
        {
            var other = Convert.FromHexString(sibling);
            node = (at & 1) == 0 ? Node(node, other) : Node(other, node);
            at >>= 1;
        }

        return Convert.ToHexStringLower(node) == rootHex;
    }

    /// <summary>A built tree: every level, leaves first.</summary>
    public sealed class Tree
    {
        internal Tree(byte[][][] levels) => (Levels, Root) = (levels, Convert.ToHexStringLower(levels[Depth][0]));

        internal byte[][][] Levels { get; }

        public string Root { get; }
    }

    public static bool IsHex32(string? hex) => hex is { Length: 64 } && hex.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    private static byte[][][] Levels(ReadOnlySpan<byte> hiddenKey)
    {
        var levels = new byte[Depth + 1][][];
        levels[0] = new byte[Count][];
        for (var k = 0; k < Count; k++)
        {
            levels[0][k] = Leaf(k, Secret(hiddenKey, k));
        }

        for (var level = 1; level <= Depth; level++)
        {
            var below = levels[level - 1];
            levels[level] = new byte[below.Length / 2][];
            for (var i = 0; i < levels[level].Length; i++)
            {
                levels[level][i] = Node(below[2 * i], below[(2 * i) + 1]);
            }
        }

        return levels;
    }
}
