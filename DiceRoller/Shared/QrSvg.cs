using Microsoft.AspNetCore.Html;
using QRCoder;

namespace DiceRoller.Shared;

/// <summary>
/// QR codes as inline SVG, drawn on the server (QRCoder): sized by a viewBox so CSS sets the size, colours as
/// presentation attributes (no style attributes: the Content-Security-Policy forbids them), and labelled for
/// screen readers with <paramref name="label"/>.
/// </summary>
public static class QrSvg
{
    public static IHtmlContent Render(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(label);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new SvgQRCode(data);
        var svg = code.GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        svg = svg[start..];
        var encodedLabel = System.Net.WebUtility.HtmlEncode(label);
        var attributes = $"<svg role=\"img\" aria-label=\"{encodedLabel}\" class=\"qr\" data-qr=\"{System.Net.WebUtility.HtmlEncode(text)}\"";
        return new HtmlString(attributes + svg[4..]);
    }
}
