using System.Net;
using System.Text;
using DiceRoller.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DiceRoller.Tests.Security;

/// <summary>The malformed requests the issue found answering 500, each with the clear 4xx it gets now.</summary>
public sealed class MalformedInputTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    [Theory]
    [InlineData("\u0661d20")]
    [InlineData("1d\u0662\u0660")]
    [InlineData("1d20+\u0665")]
    [InlineData("\uff11d20")]
    public async Task Dice_written_with_other_scripts_digits_are_refused_as_notation(string dice)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", dice));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Equal("INVALID_DICE_FORMAT", page.ErrorCode);
    }

    [Fact]
    public async Task A_die_button_with_other_scripts_digits_is_refused()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "\u0662\u0660"), ("count", "\u0661"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Equal("INVALID_DICE_FORMAT", page.ErrorCode);
    }

    [Fact]
    public async Task A_junk_before_on_the_room_page_shows_the_newest_rolls_even_in_Development()
    {
        await using var development = App.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        using var alice = new Browser(development.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), "Alice/1.0");
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);

        var page = await alice.GetAsync($"/rooms/{code}?before=abc");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Single(page.FeedRolls);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "dice=1d20%00", 400)]
    [InlineData("application/x-www-form-urlencoded; charset=utf-7", "dice=1d20", 400)]
    [InlineData("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"dice\"\r\n\r\n1d20", 400)]
    public async Task Malformed_forms_get_a_clear_error(string contentType, string body, int status)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.GetAsync($"/rooms/{code}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{code}/rolls") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("RequestVerificationToken", alice.Token);
        request.Headers.Add("HX-Request", "true");

        using var response = await alice.Client.SendAsync(request);

        var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var error = html.QuerySelector("[data-error-code]");
        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {error?.TextContent}");
        Assert.NotNull(error);
        Assert.DoesNotContain("expired", error.TextContent, StringComparison.Ordinal); // reached the form reading, not refused as a forgery
    }

    [Fact]
    public async Task Too_many_fields_is_400_and_a_huge_body_413()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.GetAsync($"/rooms/{code}");

        async Task<HttpStatusCode> PostAsync(string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{code}/rolls")
            {
                Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"),
            };
            request.Headers.Add("RequestVerificationToken", alice.Token);
            using var response = await alice.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(string.Join("&", Enumerable.Range(0, 1_100).Select(n => $"f{n}=1"))));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(new string('k', 2_100) + "=1"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync("dice=" + new string('1', 4_200_000)));
    }
}
