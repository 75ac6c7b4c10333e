using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OtelTailSampler.Admin;

/// <summary>
/// Decides whether a request may change the cluster. On a loopback admin endpoint anyone who can reach it may (they
/// are on the machine); elsewhere the request must carry `Authorization: Bearer` with sampler.admin.token, compared
/// over SHA-256 hashes in constant time, so the comparison leaks neither the token nor its length.
/// </summary>
public sealed class AdminTokenGuard
{
    private readonly byte[]? _tokenHash;
    private readonly bool _loopback;

    public AdminTokenGuard(AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _loopback = Configuration.EndpointAddress.TryParse(options.Endpoint, out var endpoint) && IPAddress.IsLoopback(endpoint.Address);
        _tokenHash = options.Token.Length == 0 ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Token));
    }

    /// <summary>Null when the request may go on; otherwise the status and reason to answer with.</summary>
    public (int Status, string Reason)? Check(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (_tokenHash is null)
        {
            return _loopback ? null : (StatusCodes.Status403Forbidden, "the admin endpoint is not loopback and sampler.admin.token is not set");
        }

        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return _loopback ? null : (StatusCodes.Status401Unauthorized, "Authorization: Bearer <sampler.admin.token> is required");
        }

        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(offered, _tokenHash) ? null : (StatusCodes.Status401Unauthorized, "the token is not sampler.admin.token");
    }
}
