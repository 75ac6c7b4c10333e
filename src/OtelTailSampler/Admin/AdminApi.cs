using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OtelTailSampler.Admin;

/// <summary>The admin HTTP API: /healthz says the process is alive, /readyz that it can take traffic, /cluster who is in the cluster.</summary>
public sealed class AdminApi(NodeReadiness readiness, Cluster.ClusterMembership membership, AdminTokenGuard guard)
{
    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value is "/cluster/leave" or "/cluster/down")
        {
            await ChangeClusterAsync(context);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/healthz":
                await WriteJsonAsync(response, StatusCodes.Status200OK, new Dictionary<string, object?> { ["status"] = "alive" });
                return;
            case "/readyz":
                var checks = readiness.Evaluate();
                var ready = checks.Values.All(reason => reason is null);
                await WriteJsonAsync(response, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, new Dictionary<string, object?>
                {
                    ["status"] = ready ? "ready" : "not-ready",
                    ["checks"] = checks.ToDictionary(c => c.Key, c => c.Value ?? "ok", StringComparer.Ordinal),
                });
                return;
            case "/cluster":
                var snapshot = await membership.SnapshotAsync(context.RequestAborted);
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(snapshot, AdminJsonContext.Default.ClusterSnapshot));
                return;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    // POST /cluster/leave: this node leaves gracefully (and then stops). POST /cluster/down?address=: the member is downed.
    private async Task ChangeClusterAsync(HttpContext context)
    {
        var response = context.Response;
        if (guard.Check(context.Request) is { } refused)
        {
            await WriteJsonAsync(response, refused.Status, new Dictionary<string, object?> { ["error"] = refused.Reason });
            return;
        }

        if (context.Request.Path.Value == "/cluster/leave")
        {
            var self = membership.Leave();
            await WriteJsonAsync(response, StatusCodes.Status202Accepted, new Dictionary<string, object?> { ["leaving"] = self });
            return;
        }

        var address = context.Request.Query["address"].ToString();
        if (!membership.TryDown(address, out var problem))
        {
            await WriteJsonAsync(response, StatusCodes.Status400BadRequest, new Dictionary<string, object?> { ["error"] = problem });
            return;
        }

        await WriteJsonAsync(response, StatusCodes.Status202Accepted, new Dictionary<string, object?> { ["downing"] = address });
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Dictionary<string, object?> body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(body, AdminJsonContext.Default.DictionaryStringObject));
    }
}
