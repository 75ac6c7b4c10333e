using System.Globalization;
using System.Net;

namespace OtelTailSampler.Configuration;

/// <summary>Parses listen addresses as users write them: "0.0.0.0:4317", "[::1]:4317", "localhost:4317", ":4317".</summary>
public static class EndpointAddress
{
    public static bool TryParse(string? text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Any, 0);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        IPAddress? address;
        if (host.Length == 0)
        {
            address = IPAddress.Any;
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
