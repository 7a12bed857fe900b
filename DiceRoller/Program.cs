using DiceRoller.Infrastructure;
using DiceRoller.Live;
using DiceRoller.Permalinks;
using DiceRoller.Rolls;
using DiceRoller.Rooms;

var builder = WebApplication.CreateBuilder(args);
builder.AddDiceRoller();

var app = builder.Build();
app.UseDiceRoller();
app.MapApi();
app.MapRooms();
app.MapModeration();
app.MapMembership();
app.MapDoor();
app.MapRolls();
app.MapLive();
app.MapPermalinks();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("DiceRoller is ready at {Urls}", string.Join(", ", app.Urls)));
app.Run();

public partial class Program;
