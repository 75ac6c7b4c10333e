using OpenTelemetry.Proto.Trace.V1;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class StatusCodePolicyTests
{
    [Fact]
    public void Status_code_keeps_traces_with_any_span_in_error()
    {
        var errors = Set("{ name = errors, type = status-code, status-codes = [ERROR] }");

        Assert.True(Keeps(errors, Span(status: Status.Types.StatusCode.Ok), Span(status: Status.Types.StatusCode.Error)));
        Assert.False(Keeps(errors, Span(status: Status.Types.StatusCode.Ok), Span(status: Status.Types.StatusCode.Unset)));
    }

    [Fact]
    public void Status_code_matches_any_of_several_codes_ignoring_case()
    {
        var set = Set("{ name = not-ok, type = status-code, status-codes = [error, Unset] }");

        Assert.True(Keeps(set, Span(status: Status.Types.StatusCode.Unset)));
        Assert.True(Keeps(set, Span(status: Status.Types.StatusCode.Error)));
        Assert.False(Keeps(set, Span(status: Status.Types.StatusCode.Ok)));
    }

    [Fact]
    public void Span_without_a_status_message_counts_as_unset()
    {
        var unset = Set("{ name = unset, type = status-code, status-codes = [UNSET] }");
        var span = Span();
        span.Status = null;

        Assert.True(Keeps(unset, span));
        Assert.False(unset.Decide(default, TraceId).Keep);
    }
}
