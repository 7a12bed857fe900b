using DiceRoller.Dice;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Tests.Rooms;

public sealed class RoomRulesTests
{
    [Fact]
    public void Generated_room_codes_are_a_word_a_dash_and_four_digits()
    {
        var random = new CryptoRandomSource();
        for (var i = 0; i < 500; i++)
        {
            var code = RoomCode.Generate(random);
            Assert.Matches("^[A-Z]{3,10}-[0-9]{4}$", code);
            Assert.Equal(code, RoomCode.Normalize(code));
        }
    }

    [Theory]
    [InlineData(" alpha-1234 ", "ALPHA-1234")]
    [InlineData("Wyvern-0007", "WYVERN-0007")]
    [InlineData("ALPHA1234", null)]
    [InlineData("AL-1234", null)]
    [InlineData("ALPHA-123", null)]
    [InlineData("ALPHA-12345", null)]
    [InlineData("../../etc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Room_codes_are_normalised_or_refused(string? input, string? expected) =>
        Assert.Equal(expected, RoomCode.Normalize(input));

    [Theory]
    [InlineData("Alice", "Alice")]
    [InlineData("  Bob the Brave  ", "Bob the Brave")]
    [InlineData("Zoë 2", "Zoë 2")]
    [InlineData("ABCDEFGHIJKLMNOPQRST", "ABCDEFGHIJKLMNOPQRST")]
    public void Valid_names_are_trimmed(string input, string expected) =>
        Assert.Equal(expected, PlayerName.Validate(input).Value);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTU")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Bob\"><img>")]
    [InlineData("Tab\tName")]
    [InlineData("emoji 🎲")]
    public void Invalid_names_get_INVALID_NAME_with_a_message(string? input)
    {
        var result = PlayerName.Validate(input);
        Assert.Equal(ErrorCodes.InvalidName, result.Error?.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Message));
    }

    [Fact]
    public void A_credential_matches_only_its_own_player_and_secret()
    {
        var credential = PlayerCredential.New("p1");
        var player = new Player("p1", "Alice", 0, "s", credential.SecretHash);

        Assert.True(credential.Matches(player));
        Assert.False((credential with { Secret = credential.Secret + "0" }).Matches(player));
        Assert.False((credential with { PlayerId = "p2" }).Matches(player));
        Assert.DoesNotContain(credential.Secret, player.SecretHash, StringComparison.Ordinal);
    }
}
