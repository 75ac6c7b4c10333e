using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OtelTailSampler.Admin;
using OtelTailSampler.Cluster;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Cli;

/// <summary>
/// `otel-sampler cluster show|shards|leave|down`: the cluster as one node's admin API reports it (the registry has no
/// Petabridge.Cmd; this is ours). Human tables by default, the API's JSON with --json.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var admin = AdminOption();
        var json = JsonOption();
        var show = new Command("show", "List the cluster's members: address, status, reachability, when each was seen Up, roles.");
        show.Options.Add(admin);
        show.Options.Add(json);
        show.SetAction((parse, cancellationToken) => ShowAsync(parse.GetRequiredValue(admin), parse.GetValue(json), cancellationToken));

        var shards = new Command("shards", "List which member hosts which trace shard: each member's shard count and shards.");
        shards.Options.Add(admin);
        shards.Options.Add(json);
        shards.SetAction((parse, cancellationToken) => ShardsAsync(parse.GetRequiredValue(admin), parse.GetValue(json), cancellationToken));

        var token = new Option<string?>("--token")
        {
            Description = "sampler.admin.token, needed when the admin endpoint is not loopback (default: $SAMPLER_ADMIN_TOKEN).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SAMPLER_ADMIN_TOKEN"),
        };
        var leave = new Command("leave", "Make the node behind --admin leave the cluster gracefully; it stops once it has left.");
        leave.Options.Add(admin);
        leave.Options.Add(token);
        leave.SetAction((parse, cancellationToken) => PostAsync(parse.GetRequiredValue(admin), "/cluster/leave", parse.GetValue(token), cancellationToken));

        var address = new Argument<string>("address") { Description = "The member to down, as `cluster show` lists it: akka.tcp://otel-sampler@host:port." };
        var down = new Command("down", "Down a member (one that is gone for good); the node behind --admin tells the cluster.");
        down.Arguments.Add(address);
        down.Options.Add(admin);
        down.Options.Add(token);
        down.SetAction((parse, cancellationToken) =>
            PostAsync(parse.GetRequiredValue(admin), "/cluster/down?address=" + Uri.EscapeDataString(parse.GetRequiredValue(address)), parse.GetValue(token), cancellationToken));

        var cluster = new Command("cluster", "Inspect and change the cluster through a node's admin API.");
        cluster.Subcommands.Add(show);
        cluster.Subcommands.Add(shards);
        cluster.Subcommands.Add(leave);
        cluster.Subcommands.Add(down);
        return cluster;
    }

    private static async Task<int> PostAsync(Uri admin, string pathAndQuery, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(admin, pathAndQuery));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (await CallAsync(admin, request, cancellationToken) is not { } body)
        {
            return 1;
        }

        Console.Out.WriteLine(body);
        return 0;
    }

    // The admin API's answer, or null once the failure (unreachable, or a status other than 2xx) is printed in one line.
    internal static async Task<string?> CallAsync(Uri admin, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            await Console.Error.WriteLineAsync($"otel-sampler: {admin} answered {(int)response.StatusCode}: {ErrorOf(body)}");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"otel-sampler: cannot reach the admin API at {admin}: {e.Message}");
            return null;
        }
    }

    // The API's errors are {"error": "..."}; anything else (a proxy's page) is put on one line.
    private static string ErrorOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                return error.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print the admin API's JSON instead of a table." };

    internal static Option<Uri> AdminOption() => new("--admin")
    {
        Description = "The node's admin API (default http://127.0.0.1:13133).",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:13133"),
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) ? uri : Fail(result),
    };

    private static Uri Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"'{result.Tokens.Single().Value}' is not a URL such as http://127.0.0.1:13133");
        return new Uri("http://127.0.0.1:13133");
    }

    private static Task<int> ShowAsync(Uri admin, bool json, CancellationToken cancellationToken) =>
        GetAndPrintAsync(admin, "/cluster", json, AdminJsonContext.Default.ClusterSnapshot, Table, cancellationToken);

    private static Task<int> ShardsAsync(Uri admin, bool json, CancellationToken cancellationToken) =>
        GetAndPrintAsync(admin, "/cluster/shards", json, AdminJsonContext.Default.TraceShardAllocation, ShardsTable, cancellationToken);

    // GET an admin resource and print it: as the JSON it came in with --json, else as a table.
    private static async Task<int> GetAndPrintAsync<T>(Uri admin, string path, bool json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        Func<T, string> format, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(admin, path));
        if (await CallAsync(admin, request, cancellationToken) is not { } body)
        {
            return 1;
        }

        Console.Out.WriteLine(json ? body : format(JsonSerializer.Deserialize(body, type)!));
        return 0;
    }

    internal static string ShardsTable(TraceShardAllocation allocation)
    {
        var rows = allocation.Members.Select(member => new[]
        {
            member.Address + (member.Address == allocation.Self ? " (self)" : ""),
            member.Shards.Count.ToString(CultureInfo.InvariantCulture),
            ShardRanges(member.Shards, maxLength: 60),
        }).ToList();
        var hosted = allocation.Shards - allocation.Unallocated;
        return Aligned(["MEMBER", "SHARDS", "SHARD LIST"], rows) + Environment.NewLine
            + $"{allocation.Shards} trace shards: {hosted} hosted by {allocation.Members.Count} members, {allocation.Unallocated} not allocated yet (a shard is allocated when its first trace arrives)";
    }

    /// <summary>Ascending shards as ranges, 0-3,5,9-12, cut at about <paramref name="maxLength"/> characters with how many more.</summary>
    internal static string ShardRanges(IReadOnlyList<int> shards, int maxLength)
    {
        var text = new System.Text.StringBuilder();
        var i = 0;
        while (i < shards.Count)
        {
            var j = i;
            while (j + 1 < shards.Count && shards[j + 1] == shards[j] + 1)
            {
                j++;
            }

            var range = j == i ? shards[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{shards[i]}-{shards[j]}");
            if (text.Length > 0 && text.Length + range.Length + 1 > maxLength)
            {
                return text.Append(CultureInfo.InvariantCulture, $",... ({shards.Count - i} more)").ToString();
            }

            text.Append(text.Length > 0 ? "," : "").Append(range);
            i = j + 1;
        }

        return text.Length == 0 ? "-" : text.ToString();
    }

    /// <summary>Columns padded to their widest cell, two spaces apart.</summary>
    internal static string Aligned(string[] header, List<string[]> rows)
    {
        var widths = header.Select((title, column) => rows.Select(row => row[column].Length).Append(title.Length).Max()).ToArray();
        var lines = new[] { header }.Concat(rows)
            .Select(row => string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        return string.Join(Environment.NewLine, lines);
    }

    internal static string Table(ClusterSnapshot snapshot)
    {
        string[] header = ["ADDRESS", "STATUS", "REACHABLE", "UP SINCE", "ROLES"];
        var rows = snapshot.Members.Select(member => new[]
        {
            member.Address + (member.Address == snapshot.Leader ? " (leader)" : "") + (member.Address == snapshot.Self ? " (self)" : ""),
            member.Status,
            member.Reachable ? "yes" : "NO",
            member.UpSince?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-",
            member.Roles.Count == 0 ? "-" : string.Join(",", member.Roles),
        }).ToList();
        return Aligned(header, rows) + Environment.NewLine + $"{snapshot.Members.Count} members, {snapshot.Members.Count(m => m.Status == "Up")} Up";
    }
}
