using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiceRoller.Fairness;

/// <summary>
/// The JSON a verifier reads (docs/fairness.md): one permalink object (<c>GET /api/permalink/{roll_id}</c>) or a room log
/// (<c>GET /rooms/{CODE}/log.json</c>). Field names are snake_case; unknown fields are ignored, so the permalink's other
/// fields (room_code, player_name, timestamp...) pass through. Values withheld from a hidden roll are null.
/// </summary>
public sealed record VerifiableRoll
{
    public string RollId { get; init; } = "";
    public string? PlayerName { get; init; }
    /// <summary>Null while a hidden roll is withheld (its formula would tell its size).</summary>
    public string? DiceFormula { get; init; }
    public string? Advantage { get; init; }
    public IReadOnlyList<int>? IndividualResults { get; init; }
    public int? Total { get; init; }
    public IReadOnlyList<VerifiableTerm>? Terms { get; init; }
    public string? Label { get; init; }

    /// <summary>
    /// The roll's success count (<c>successes</c>), dice-cap flag (<c>cap_reached</c>) and natural 20 or 1 (<c>crit</c>) as the
    /// JSON gives them: not in the hash line, but they follow from what is (docs/fairness.md), so they are checked. A JSON
    /// <c>null</c> is a value here; a field the JSON lacks is <see cref="JsonValueKind.Undefined"/> and not checked.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Successes { get; init; }

    /// <inheritdoc cref="Successes"/>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement CapReached { get; init; }

    /// <inheritdoc cref="Successes"/>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Crit { get; init; }

    /// <summary>Null for rolls made before provable fairness.</summary>
    public VerifiableFairness? Fairness { get; init; }
}

/// <summary>One term as the permalink records it: its notation, its dice in draw order (value and fate) and what it adds.</summary>
public sealed record VerifiableTerm
{
    public string Notation { get; init; } = "";
    public IReadOnlyList<VerifiableDie> Dice { get; init; } = [];
    public int Subtotal { get; init; }
    public int? Successes { get; init; }

    /// <summary>The term's damage type (its <c>[annotation]</c> or that of the parentheses around it), if any.</summary>
    public string? Annotation { get; init; }
}

/// <summary>A drawn die: its face and what became of it (<c>kept</c>, <c>dropped</c>, <c>exploded</c>, <c>rerolled</c>).</summary>
public sealed record VerifiableDie
{
    public int Value { get; init; }
    public string Fate { get; init; } = "";

    /// <summary>What the die counts for when <c>mi</c>/<c>ma</c> changed it; null when it counts its face.</summary>
    public int? Counted { get; init; }
}

/// <summary>The permalink's <c>fairness</c> object.</summary>
public sealed record VerifiableFairness
{
    public long Sequence { get; init; }
    public string PlayerId { get; init; } = "";
    public string Commitment { get; init; } = "";

    /// <summary>Null until the room's seed is revealed (rotation, or the room closed or expired).</summary>
    public string? ServerSeed { get; init; }

    public string ClientSeed { get; init; } = "";
    public long Nonce { get; init; }

    /// <summary>32-bit stream values the roll consumed, rejected ones included; null when withheld.</summary>
    public int? BlockValuesUsed { get; init; }

    /// <summary><c>""</c> for a public roll, the hex salt of a revealed hidden roll, null while hidden.</summary>
    public string? Salt { get; init; }

    public string PrevHash { get; init; } = "";
    public string Hash { get; init; } = "";
    public string Signature { get; init; } = "";
    public string KeyId { get; init; } = "";

    /// <summary>The rules the record follows: 1 (or absent) before client-seed order and hidden-roll secrets, 2 after.</summary>
    public int? Rules { get; init; }

    /// <summary>Rules 2: the commitment that was current when the client seed was set.</summary>
    public string? ClientSeedCommitment { get; init; }

    /// <summary>Rules 2: the server picked the client seed for this roll.</summary>
    public bool? ClientSeedByServer { get; init; }

    /// <summary>Rules 2, a revealed hidden roll: its hidden-roll secret's index (the secret is the salt) and Merkle path.</summary>
    public int? HiddenIndex { get; init; }

    public IReadOnlyList<string>? HiddenPath { get; init; }
}

/// <summary>The server's public key as published at <c>/.well-known/diceroller-key</c>.</summary>
public sealed record VerifiableKey
{
    public string Algorithm { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string PublicKey { get; init; } = "";
}

/// <summary>A room's log: every roll in sequence order with the key that signed them.</summary>
public sealed record VerifiableLog
{
    public string? RoomCode { get; init; }
    public VerifiableKey? Key { get; init; }
    public IReadOnlyList<VerifiableRoll> Rolls { get; init; } = [];
}

/// <summary>Reads and writes the verifier's JSON. Parse failures come back as a message, never as an exception.</summary>
public static class VerifiableJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        MaxDepth = 16,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A room log (an object with <c>rolls</c>).</summary>
    public static (VerifiableLog? Log, string? Error) ParseLog(string json)
    {
        var (value, error) = Parse<VerifiableLog>(json);
        if (value is null)
        {
            return (null, error);
        }

        return value.Rolls.Any(r => r is null) ? (null, "The log's \"rolls\" list contains null entries.") : (value, null);
    }

    /// <summary>One permalink object.</summary>
    public static (VerifiableRoll? Roll, string? Error) ParseRoll(string json) => Parse<VerifiableRoll>(json);

    /// <summary>The key object of <c>/.well-known/diceroller-key</c>.</summary>
    public static (VerifiableKey? Key, string? Error) ParseKey(string json) => Parse<VerifiableKey>(json);

    /// <summary>True when <paramref name="json"/> is an object with a <c>rolls</c> member (a log rather than one permalink).</summary>
    public static bool LooksLikeLog(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("rolls", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (T? Value, string? Error) Parse<T>(string json)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return (null, "The JSON is empty.");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(json, Options);
            return value is null ? (null, "The JSON is null, not an object.") : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is long line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return (null, $"This is not the expected JSON{where}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
