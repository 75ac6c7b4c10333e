using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using OtelTailSampler.Hosting;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Admin;

/// <summary>
/// The admin HTTP API: /healthz says the process is alive, /readyz that it can take traffic, /cluster who is in the
/// cluster, /cluster/shards which member hosts which trace shard, /traces/{traceId} where one trace is and what became of it.
/// </summary>
public sealed class AdminApi(NodeReadiness readiness, Cluster.ClusterMembership membership, AdminTokenGuard guard, SamplerOptions options,
    ITelemetryPipeline pipeline, TraceShardLocator locator, Decisions.DecisionReplica replica)
{
    private const string TracesPrefix = "/traces/";

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
            case "/cluster/shards":
                if (await AllocationAsync(response, context.RequestAborted) is { } allocation)
                {
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json";
                    await response.WriteAsync(JsonSerializer.Serialize(allocation, AdminJsonContext.Default.TraceShardAllocation));
                }

                return;
            case { } path when path.StartsWith(TracesPrefix, StringComparison.Ordinal):
                await ReportTraceAsync(response, path[TracesPrefix.Length..], context.RequestAborted);
                return;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    // The allocation, or null once the reason there is none (no trace shards in this mode, region not started or
    // not answering) has been answered.
    private async Task<TraceShardAllocation?> AllocationAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        if (pipeline is not SamplingPipeline)
        {
            var mode = options.PipelineMode == PipelineMode.PassThrough ? "pass-through" : "decode-only";
            await WriteJsonAsync(response, StatusCodes.Status404NotFound, new Dictionary<string, object?>
            {
                ["error"] = $"this node runs sampler.pipeline.mode = {mode}, which has no trace shards: every request is handled by the node that got it",
            });
            return null;
        }

        try
        {
            if (await locator.AllocationAsync(cancellationToken) is { } allocation)
            {
                return allocation;
            }

            await WriteJsonAsync(response, StatusCodes.Status503ServiceUnavailable,
                new Dictionary<string, object?> { ["error"] = "the trace shard region has not started on this node yet" });
        }
        catch (AskTimeoutException)
        {
            await WriteJsonAsync(response, StatusCodes.Status503ServiceUnavailable, new Dictionary<string, object?>
            {
                ["error"] = $"the trace shard region did not answer within {Configuration.DurationText.Format(TraceShardLocator.StatsTimeout)}",
            });
        }

        return null;
    }

    private async Task ReportTraceAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(text, out var traceId, out var problem))
        {
            await WriteJsonAsync(response, StatusCodes.Status400BadRequest, new Dictionary<string, object?> { ["error"] = problem });
            return;
        }

        if (await AllocationAsync(response, cancellationToken) is not { } allocation)
        {
            return;
        }

        var sampling = (SamplingPipeline)pipeline;
        var (shard, shards) = sampling.ShardOf(traceId);
        var owner = allocation.OwnerOf(shard);
        var id = traceId.ToString();
        TraceState state;
        var replicatedFrom = "";
        if (owner != allocation.Self && replica.TryGetDecision(shard, traceId, out var replicated))
        {
            // The owner's decisions are replicated to every member; what is still buffered there only the owner knows.
            state = TraceState.Decided(replicated, sampling.PolicyNames);
            replicatedFrom = owner is null
                ? $", as replicated from the cluster; no member hosts shard {shard} now"
                : $", as replicated from the cluster; shard {shard} is hosted by {owner}";
        }
        else if (owner is null)
        {
            await WriteReportAsync(response, new TraceReport(id, shard, shards, null, allocation.Self, "unallocated",
                $"no member hosts shard {shard}: no trace of it has arrived since the cluster started, or since its last host left"), cancellationToken);
            return;
        }
        else if (owner != allocation.Self)
        {
            await WriteReportAsync(response, new TraceReport(id, shard, shards, owner, allocation.Self, "on-another-node",
                $"shard {shard} is hosted by {owner}, and no decision of it is replicated here: ask that node's admin API"), cancellationToken);
            return;
        }
        else
        {
            state = await sampling.LookUpTraceAsync(traceId, cancellationToken);
        }

        var report = state.Status switch
        {
            TraceStatus.Buffered => new TraceReport(id, shard, shards, owner, allocation.Self, "buffered",
                string.Create(CultureInfo.InvariantCulture, $"buffered here and not decided yet: {state.BufferedSpans} spans so far"), BufferedSpans: state.BufferedSpans),
            TraceStatus.Kept => new TraceReport(id, shard, shards, owner, allocation.Self, "kept",
                string.Create(CultureInfo.InvariantCulture, $"kept by policy {state.Policy} (adjusted count {state.AdjustedCount}){replicatedFrom}"), Policy: state.Policy, AdjustedCount: state.AdjustedCount),
            TraceStatus.Dropped => new TraceReport(id, shard, shards, owner, allocation.Self, "dropped", $"dropped by the sampling policies{replicatedFrom}"),
            _ => new TraceReport(id, shard, shards, owner, allocation.Self, "unknown",
                "neither buffered here nor in the decision cache: it never arrived, or its decision has been forgotten since"),
        };
        await WriteReportAsync(response, report, cancellationToken);
    }

    private static async Task WriteReportAsync(HttpResponse response, TraceReport report, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(report, AdminJsonContext.Default.TraceReport), cancellationToken);
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
