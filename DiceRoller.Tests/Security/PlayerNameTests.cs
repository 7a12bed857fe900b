using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Security;

/// <summary>Names of one script, NFC-normalised, unique ignoring case: no look-alikes at the table.</summary>
public sealed class PlayerNameTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    [Theory]
    [InlineData("Zo\u00eb")]
    [InlineData("\u0414\u043c\u0438\u0442\u0440\u0438\u0439")]
    [InlineData("\u592a\u90ce")]
    [InlineData("\u3055\u304f\u3089 \u5c71\u7530")]
    [InlineData("O'Brien-Smith Jr.")]
    [InlineData("Bob 2")]
    public void Names_in_one_script_are_welcome(string name) => Assert.Null(PlayerName.Validate(name).Error);

    [Theory]
    [InlineData("\u0410lma")]
    [InlineData("Ad\u03b1m")]
    [InlineData("Bob<script>")]
    [InlineData("Bob\u200b")]
    public void Names_that_mix_scripts_or_carry_symbols_are_refused(string name) =>
        Assert.Equal(ErrorCodes.InvalidName, PlayerName.Validate(name).Error?.Code);

    [Fact]
    public async Task A_Cyrillic_look_alike_cannot_join_next_to_Alma()
    {
        using var alma = App.NewBrowser();
        var code = await alma.CreateRoomAsync("Alma");
        using var mallory = App.NewBrowser("Other/1.0");

        var page = await mallory.PostAsync("/join", ("room_code", code), ("player_name", "\u0410lma"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Equal(ErrorCodes.InvalidName, page.ErrorCode);
        Assert.Contains("one alphabet", page.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_typed_with_a_combining_mark_is_stored_in_its_precomposed_form()
    {
        var typed = "Zoe\u0308";

        var result = PlayerName.Validate(typed);

        Assert.Null(result.Error);
        Assert.Equal("Zo\u00eb", result.Value);
    }

    [Theory]
    [InlineData("Zoe\u0308")]
    [InlineData("ZO\u00cb")]
    [InlineData("zo\u00eb")]
    public async Task Names_are_unique_after_NFC_ignoring_case(string lookAlike)
    {
        using var zoe = App.NewBrowser();
        var code = await zoe.CreateRoomAsync("Zo\u00eb");
        using var other = App.NewBrowser("Other/1.0");

        var page = await other.PostAsync("/join", ("room_code", code), ("player_name", lookAlike));

        Assert.Equal(HttpStatusCode.Conflict, page.Status);
        Assert.Equal(ErrorCodes.NameTaken, page.ErrorCode);
    }
}
