using DiceRoller.Rooms;
using DiceRoller.Sharing;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What every <see cref="IRoomSharing"/> must do, on the in-process store and on a real Valkey: settings belong to their
/// room (none for a room that is gone, and a later room with the same code starts with none), a delivery is recorded only
/// for the webhook it went to, an overlay token is made once unless replaced.
/// </summary>
public abstract class RoomSharingContract
{
    private const string Hook = "https://discord.com/api/webhooks/1/one";

    protected abstract IRoomStore Store { get; }

    protected abstract IRoomSharing Sharing { get; }

    /// <summary>Whether the store's room read says if the room has a webhook (<see cref="RoomSnapshot.SharesRolls"/>), or leaves it null.</summary>
    protected abstract bool RoomReadKnowsTheWebhook { get; }

    private async Task<(Room Room, Player Creator)> CreateRoomAsync()
    {
        var creator = new Player(Guid.NewGuid().ToString(), "Dee", Now, Guid.NewGuid().ToString("N"), "hash", "address");
        var code = "SHR" + Guid.NewGuid().ToString("N")[..4].ToUpperInvariant() + "-" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        var room = new Room(code, RoomMode.DmLed, creator.PlayerId, creator.PlayerId, null, Now, Now, 1800);
        Assert.True(await Store.TryCreateAsync(room, creator));
        return (room, creator);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_new_room_has_no_settings_and_a_webhook_reads_back_until_removed()
    {
        var (room, _) = await CreateRoomAsync();

        Assert.Equal(new SharingSettings(null, null, null, null, null), await Sharing.GetSharingAsync(room.Code));
        Assert.True(await Sharing.SetWebhookAsync(room.Code, Hook));
        Assert.Equal(Hook, (await Sharing.GetSharingAsync(room.Code))!.WebhookUrl);
        Assert.True(await Sharing.SetWebhookAsync(room.Code, null));
        Assert.Null((await Sharing.GetSharingAsync(room.Code))!.WebhookUrl);
    }

    [Fact]
    public async Task A_delivery_is_recorded_only_for_the_current_webhook_and_a_new_webhook_starts_clean()
    {
        var (room, _) = await CreateRoomAsync();
        await Sharing.SetWebhookAsync(room.Code, Hook);

        await Sharing.RecordDeliveryAsync(room.Code, Hook, "503 Service Unavailable", 1000);
        await Sharing.RecordDeliveryAsync(room.Code, Hook, null, 2000);
        await Sharing.RecordDeliveryAsync(room.Code, "https://discord.com/api/webhooks/2/other", "404 Not Found", 3000);
        var recorded = await Sharing.GetSharingAsync(room.Code);
        await Sharing.SetWebhookAsync(room.Code, "https://discord.com/api/webhooks/2/other");
        var fresh = await Sharing.GetSharingAsync(room.Code);

        Assert.Equal(new SharingSettings(Hook, null, "503 Service Unavailable", 1000, 2000), recorded);
        Assert.Equal(new SharingSettings("https://discord.com/api/webhooks/2/other", null, null, null, null), fresh);
    }

    [Fact]
    public async Task The_room_read_says_whether_a_webhook_is_set_or_null_when_the_store_keeps_it_apart()
    {
        var (room, _) = await CreateRoomAsync();

        var none = (await Store.GetAsync(room.Code))!.SharesRolls;
        await Sharing.SetWebhookAsync(room.Code, Hook);
        var set = (await Store.GetAsync(room.Code))!.SharesRolls;
        await Sharing.SetOverlayTokenAsync(room.Code, "token", replace: true);
        await Sharing.SetWebhookAsync(room.Code, null);
        var removed = (await Store.GetAsync(room.Code))!.SharesRolls;

        Assert.Equal(RoomReadKnowsTheWebhook ? new bool?[] { false, true, false } : new bool?[] { null, null, null }, new[] { none, set, removed });
    }

    [Fact]
    public async Task The_overlay_token_is_made_once_unless_replaced()
    {
        var (room, _) = await CreateRoomAsync();

        var first = await Sharing.SetOverlayTokenAsync(room.Code, "token-one", replace: false);
        var kept = await Sharing.SetOverlayTokenAsync(room.Code, "token-two", replace: false);
        var replaced = await Sharing.SetOverlayTokenAsync(room.Code, "token-three", replace: true);

        Assert.Equal(("token-one", "token-one", "token-three"), (first, kept, replaced));
        Assert.Equal("token-three", (await Sharing.GetSharingAsync(room.Code))!.OverlayToken);
    }

    [Fact]
    public async Task A_room_that_is_gone_has_no_settings_and_a_new_room_with_its_code_inherits_none()
    {
        var (room, creator) = await CreateRoomAsync();
        await Sharing.SetWebhookAsync(room.Code, Hook);
        await Sharing.SetOverlayTokenAsync(room.Code, "secret", replace: true);

        await Store.DeleteAsync(room.Code);
        var gone = await Sharing.GetSharingAsync(room.Code);
        var setOnGone = await Sharing.SetWebhookAsync(room.Code, Hook);
        var tokenOnGone = await Sharing.SetOverlayTokenAsync(room.Code, "x", replace: false);
        Assert.True(await Store.TryCreateAsync(room with { CreatedAt = room.CreatedAt + 1 }, creator));

        Assert.Null(gone);
        Assert.False(setOnGone);
        Assert.Null(tokenOnGone);
        Assert.Equal(new SharingSettings(null, null, null, null, null), await Sharing.GetSharingAsync(room.Code));
    }
}

public sealed class InMemoryRoomSharingTests : RoomSharingContract
{
    public InMemoryRoomSharingTests()
    {
        var store = new InMemoryRoomStore(TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new RoomOptions()));
        Store = store;
        Sharing = new InMemoryRoomSharing(store);
    }

    protected override IRoomStore Store { get; }

    protected override IRoomSharing Sharing { get; }

    /// <summary>The embedded store keeps sharing settings beside its rooms: its outbox reads them (in process) for every public roll.</summary>
    protected override bool RoomReadKnowsTheWebhook => false;
}

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomSharingTests(ValkeyServer valkey) : RoomSharingContract
{
    protected override IRoomStore Store { get; } = new ValkeyRoomStore(valkey.Connection,
        Microsoft.Extensions.Options.Options.Create(new RoomOptions()), TimeProvider.System);

    protected override IRoomSharing Sharing { get; } = new ValkeyRoomSharing(valkey.Connection);

    protected override bool RoomReadKnowsTheWebhook => true;
}
