using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using DiceRoller.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// The roll post resolves its member over a room read kept a few seconds on its app instance (<c>Valkey:RecentRoomTtl</c>).
/// Two app instances on one Valkey: instance A served a member's roll (and so keeps the room's read) and has no page of the
/// room open, so no room event reaches it; the change is made through instance B. A's kept read still shows the room as it
/// was: the roll's atomic start must refuse anyway, and the answer must be the one a fresh read gives.
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RecentRoomReadTests(ValkeyServer valkey) : AppTest
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    /// <summary>Kept long enough that a loaded machine cannot let it lapse mid-test (then a fresh read would refuse instead).</summary>
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Valkey:RecentRoomTtl"] = "00:05:00" };

    private AppFactory? _other;

    /// <summary>Instance B: the same Valkey (and so the same key ring and rooms), its own process state.</summary>
    private AppFactory Other => _other ??= new AppFactory(valkey.ConnectionString, Settings);

    public override async Task DisposeAsync()
    {
        if (_other is not null)
        {
            await _other.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>The same person (cookies) in a browser tab on instance B.</summary>
    private Browser OnOther(Browser browser, string userAgent) =>
        new(Other.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(browser.Cookies)), userAgent, browser.Cookies);

    private async Task<IReadOnlyList<Roll>> HistoryAsync(string code) =>
        await App.Services.GetRequiredService<IRollLog>().GetRollsAfterAsync(code, 0, 100);

    [Fact]
    public async Task A_player_kicked_through_another_instance_cannot_roll_over_the_read_this_instance_kept()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        Assert.Null((await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"))).ErrorCode);
        var bobId = (await dee.GetAsync($"/rooms/{code}")).PlayerIdOf("Bob");

        using var deeOnB = OnOther(dee, "Dee/1.0");
        await deeOnB.GetAsync($"/rooms/{code}");
        Assert.True((await deeOnB.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", bobId))).Status is HttpStatusCode.OK);

        var refused = await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal(ErrorCodes.Kicked, refused.ErrorCode);
        Assert.Single(await HistoryAsync(code));
    }

    [Fact]
    public async Task A_DM_who_handed_over_through_another_instance_cannot_roll_hidden_over_the_read_this_instance_kept()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee) = table;
        Assert.Null((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"))).ErrorCode);
        var bobId = (await dee.GetAsync($"/rooms/{code}")).PlayerIdOf("Bob");

        using var deeOnB = OnOther(dee, "Dee/1.0");
        await deeOnB.GetAsync($"/rooms/{code}");
        Assert.True((await deeOnB.HtmxPostAsync($"/rooms/{code}/dm", ("player_id", bobId))).Status is HttpStatusCode.OK);

        var refused = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        var open = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.Equal(ErrorCodes.HiddenNotAllowed, refused.ErrorCode);
        Assert.Null(open.ErrorCode);
        var history = await HistoryAsync(code);
        Assert.Equal([true, false], history.Select(r => r.Hidden));
    }

    [Fact]
    public async Task A_room_closed_through_another_instance_takes_no_roll_over_the_read_this_instance_kept()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        Assert.Null((await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"))).ErrorCode);

        using var deeOnB = OnOther(dee, "Dee/1.0");
        await deeOnB.GetAsync($"/rooms/{code}");
        await deeOnB.HtmxPostAsync($"/rooms/{code}/close");
        Assert.Null(await App.Services.GetRequiredService<IRooms>().GetAsync(code));

        var refused = await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.Equal(ErrorCodes.RoomNotFound, refused.ErrorCode);
        Assert.Null(await App.Services.GetRequiredService<IRooms>().GetAsync(code));
    }
}
