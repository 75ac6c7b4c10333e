using Google.Protobuf;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Sampling;
using OtelTailSampler.Tests.Support;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class HotPathAllocationTests
{
    [Fact]
    public void Observing_spans_and_resources_and_deciding_allocate_nothing()
    {
        var clock = new ManualTimeProvider();
        var set = Set("""
            { name = drop-health, type = drop, policies = [{ type = string-attribute, key = url.path, values = ["^/health"], enabled-regex-matching = true }] },
            { name = errors, type = status-code, status-codes = [ERROR] },
            { name = long-text, type = string-attribute, key = message, values = ["needle$"], enabled-regex-matching = true },
            { name = service, type = string-attribute, key = service.name, values = [checkout, cart], invert-match = true },
            { name = code, type = numeric-attribute, key = code, min-value = 500 },
            { name = flag, type = boolean-attribute, key = vip, value = true },
            { name = state, type = trace-state, key = acme, values = [gold] },
            { name = sampled, type = trace-flags },
            { name = slow-and-big, type = and, policies = [{ type = latency, threshold = 1s }, { type = span-count, min-spans = 3 }] },
            { name = not-tiny, type = not, policy = { type = span-count, max-spans = 1 } },
            { name = budget, type = composite, max-total-spans-per-second = 1000000, policies = [
                { name = p, type = probabilistic, sampling-percentage = 30 },
                { name = r, type = rate-limiting, spans-per-second = 1000000 } ] },
            { name = bytes, type = bytes-limiting, bytes-per-second = 1GiB }
            """, clock);
        var resource = Resource(Str("service.name", "checkout"), Int("host.cpus", 8)).ToByteArray();
        var spans = new[]
        {
            Span(status: Status.Types.StatusCode.Ok, traceState: "acme=silver,b=c", flags: 1,
                attributes: [Str("url.path", "/orders/1"), Str("message", new string('x', 2000) + " needle"), Int("code", 200), Bool("vip", false)]),
            Span(durationMillis: 5, attributes: [Double("code", 1.5), Str("message", "short")]),
        }.Select(span => span.ToByteArray()).ToArray();
        var traceIds = Enumerable.Range(0, 64).Select(i => RandomTraceId(new Random(i))).ToArray();

        // Steady state: a few runs first, so the measured one does not catch methods while the JIT moves
        // them between tiers (seen once as a stray allocation under a loaded full-suite run).
        var kept = 0;
        for (var warmUp = 0; warmUp < 4; warmUp++)
        {
            kept += Run(set, resource, spans, traceIds);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        kept += Run(set, resource, spans, traceIds);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(kept > 0);
    }

    private static int Run(PolicySet set, byte[] resource, byte[][] spans, byte[][] traceIds)
    {
        var kept = 0;
        for (var round = 0; round < 20; round++)
        {
            foreach (var traceId in traceIds)
            {
                var facts = default(TraceFacts);
                facts.AddPredicateBits(set.ObserveResource(resource));
                foreach (var span in spans)
                {
                    set.ObserveSpan(span, ref facts);
                }

                kept += set.Decide(facts, traceId).Keep ? 1 : 0;
            }
        }

        return kept;
    }
}
