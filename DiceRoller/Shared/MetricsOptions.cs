using System.ComponentModel.DataAnnotations;
using System.Net;

namespace DiceRoller.Shared;

/// <summary>Who may read <c>/metrics</c>, and how often Valkey command timings are collected.</summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string Section = "Metrics";

    /// <summary>
    /// Networks (IP addresses or CIDR, e.g. <c>172.28.1.0/24</c>) allowed to read <c>/metrics</c>, besides
    /// loopback. Everyone else gets 404. Empty (default): loopback only.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>How often the profiled Valkey commands are turned into the latency histogram.</summary>
    public TimeSpan ValkeySampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
        {
            if (!TryParseNetwork(network, out _))
            {
                yield return new ValidationResult($"Metrics:AllowedNetworks has \"{network}\", which is neither an IP address nor a CIDR network.", [nameof(AllowedNetworks)]);
            }
        }

        if (ValkeySampleInterval < TimeSpan.FromMilliseconds(100) || ValkeySampleInterval > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Metrics:ValkeySampleInterval must be between 00:00:00.1 and 00:05:00.", [nameof(ValkeySampleInterval)]);
        }
    }

    internal static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}
