using System.Security.Cryptography;

namespace DiceRoller.Fairness;

/// <summary>A member's client seed: 1-64 characters of <c>[A-Za-z0-9_-]</c>, set by the member or generated for them.</summary>
public static class ClientSeed
{
    public const int MaxLength = 64;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    public static bool IsValid(string? seed) =>
        seed is { Length: > 0 and <= MaxLength } && seed.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>A 22-character random seed (132 bits), for members without JavaScript.</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 22);
}
