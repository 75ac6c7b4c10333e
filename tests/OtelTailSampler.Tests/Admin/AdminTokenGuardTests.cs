using Microsoft.AspNetCore.Http;
using OtelTailSampler.Admin;

namespace OtelTailSampler.Tests.Admin;

public sealed class AdminTokenGuardTests
{
    private static HttpRequest Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }

    [Fact]
    public void A_loopback_endpoint_without_a_token_lets_requests_change_the_cluster()
    {
        var guard = new AdminTokenGuard(new AdminOptions { Endpoint = "127.0.0.1:13133" });
        Assert.Null(guard.Check(Request(null)));
    }

    [Fact]
    public void An_endpoint_on_every_interface_without_a_token_refuses_every_change()
    {
        var guard = new AdminTokenGuard(new AdminOptions { Endpoint = "0.0.0.0:13133" });
        Assert.Equal(StatusCodes.Status403Forbidden, guard.Check(Request("Bearer anything"))?.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer s3cret-but-longer")]
    [InlineData("Basic czNjcmV0")]
    public void With_a_token_a_request_without_it_is_unauthorized(string? authorization)
    {
        var guard = new AdminTokenGuard(new AdminOptions { Endpoint = "0.0.0.0:13133", Token = "s3cret" });
        Assert.Equal(StatusCodes.Status401Unauthorized, guard.Check(Request(authorization))?.Status);
    }

    [Fact]
    public void With_a_token_the_request_that_carries_it_may_change_the_cluster()
    {
        var guard = new AdminTokenGuard(new AdminOptions { Endpoint = "0.0.0.0:13133", Token = "s3cret" });
        Assert.Null(guard.Check(Request("Bearer s3cret")));
    }
}
