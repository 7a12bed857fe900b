using DiceRoller.Fairness;
using DiceRoller.Infrastructure;
using DiceRoller.Initiative;
using DiceRoller.Live;
using DiceRoller.Pages;
using DiceRoller.Permalinks;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Sharing;

// The container's health check runs the app's own binary: `dotnet DiceRoller.dll --health-check`.
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDiceRoller();

var app = builder.Build();
app.UseDiceRoller();
app.MapApi();
app.MapMetricsEndpoint();
app.MapRooms();
app.MapModeration();
app.MapMembership();
app.MapDoor();
app.MapRolls();
app.MapInitiative();
app.MapLive();
app.MapSharing();
app.MapOverlay();
app.MapPermalinks();
app.MapFairness();
app.MapVerify();
app.MapRoomStats();
app.MapRoomFairness();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("DiceRoller is ready at {Urls}; error reports: {ErrorReports}", string.Join(", ", app.Urls),
        app.Services.GetService<Sentry.IHub>()?.IsEnabled == true ? "Sentry" : "off"));
await app.RunAsync();
return 0;

public partial class Program;
