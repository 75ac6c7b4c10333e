using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OtelTailSampler.Admin;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Cli;

/// <summary>
/// `otel-sampler trace TRACE_ID`: where a trace is and what became of it, as `GET /traces/{id}` of one node's admin
/// API says. Exit 2 for an ID that is not one, 1 when the admin API cannot be reached or refuses.
/// </summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var admin = ClusterCommand.AdminOption();
        var json = ClusterCommand.JsonOption();
        var traceId = new Argument<string>("trace-id") { Description = "The trace ID, 32 hexadecimal characters as a backend shows it." };
        var trace = new Command("trace",
            "Show a trace's shard, the member hosting it and, on that member, whether it is buffered, kept (by which policy) or dropped.");
        trace.Arguments.Add(traceId);
        trace.Options.Add(admin);
        trace.Options.Add(json);
        trace.SetAction((parse, cancellationToken) => ShowAsync(parse.GetRequiredValue(admin), parse.GetRequiredValue(traceId), parse.GetValue(json), cancellationToken));
        return trace;
    }

    private static async Task<int> ShowAsync(Uri admin, string traceId, bool json, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(traceId, out _, out var problem))
        {
            await Console.Error.WriteLineAsync($"otel-sampler: {problem}");
            return 2;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(admin, "/traces/" + traceId.ToLowerInvariant()));
        if (await ClusterCommand.CallAsync(admin, request, cancellationToken) is not { } body)
        {
            return 1;
        }

        Console.Out.WriteLine(json ? body : Text(JsonSerializer.Deserialize(body, AdminJsonContext.Default.TraceReport)!));
        return 0;
    }

    internal static string Text(TraceReport report)
    {
        var owner = report.Owner is null ? "-" : report.Owner + (report.Owner == report.Self ? " (self)" : "");
        List<string[]> rows =
        [
            ["shard", string.Create(CultureInfo.InvariantCulture, $"{report.Shard} of {report.Shards}")],
            ["owner", owner],
            ["state", report.State],
            ["detail", report.Detail],
        ];
        return ClusterCommand.Aligned(["TRACE", report.TraceId], rows);
    }
}
