using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class OtlpRetryRulesTests
{
    // The table of the OTLP specification, "OTLP/gRPC Response > Failures".
    [Theory]
    [InlineData(GrpcStatusCode.Cancelled, true)]
    [InlineData(GrpcStatusCode.Unknown, false)]
    [InlineData(GrpcStatusCode.InvalidArgument, false)]
    [InlineData(GrpcStatusCode.DeadlineExceeded, true)]
    [InlineData(GrpcStatusCode.NotFound, false)]
    [InlineData(GrpcStatusCode.AlreadyExists, false)]
    [InlineData(GrpcStatusCode.PermissionDenied, false)]
    [InlineData(GrpcStatusCode.Unauthenticated, false)]
    [InlineData(GrpcStatusCode.ResourceExhausted, false)]
    [InlineData(GrpcStatusCode.FailedPrecondition, false)]
    [InlineData(GrpcStatusCode.Aborted, true)]
    [InlineData(GrpcStatusCode.OutOfRange, true)]
    [InlineData(GrpcStatusCode.Unimplemented, false)]
    [InlineData(GrpcStatusCode.Internal, false)]
    [InlineData(GrpcStatusCode.Unavailable, true)]
    [InlineData(GrpcStatusCode.DataLoss, true)]
    public void Grpc_codes_are_retryable_as_the_spec_table_says(GrpcStatusCode code, bool retryable) =>
        Assert.Equal(retryable, OtlpRetryRules.IsRetryable(code, hasRetryInfo: false));

    [Fact]
    public void Resource_exhausted_is_retryable_only_with_retry_info()
    {
        Assert.False(OtlpRetryRules.IsRetryable(GrpcStatusCode.ResourceExhausted, hasRetryInfo: false));
        Assert.True(OtlpRetryRules.IsRetryable(GrpcStatusCode.ResourceExhausted, hasRetryInfo: true));
        Assert.False(OtlpRetryRules.IsRetryable(GrpcStatusCode.InvalidArgument, hasRetryInfo: true));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(408, false)]
    [InlineData(413, false)]
    [InlineData(500, false)]
    [InlineData(501, false)]
    public void Http_statuses_are_retryable_as_the_spec_table_says(int status, bool retryable) =>
        Assert.Equal(retryable, OtlpRetryRules.IsRetryable((HttpStatusCode)status));

    [Fact]
    public void Retry_after_in_seconds_is_the_delay()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(3), OtlpRetryRules.RetryAfter(RetryConditionHeaderValue.Parse("3"), now));
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_the_time_until_then()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var delay = OtlpRetryRules.RetryAfter(RetryConditionHeaderValue.Parse("Thu, 01 Jan 2026 00:00:42 GMT"), now);
        var past = OtlpRetryRules.RetryAfter(RetryConditionHeaderValue.Parse("Wed, 31 Dec 2025 23:00:00 GMT"), now);

        Assert.Equal(TimeSpan.FromSeconds(42), delay);
        Assert.Equal(TimeSpan.Zero, past);
        Assert.Null(OtlpRetryRules.RetryAfter(null, now));
    }

    [Fact]
    public void Status_details_without_base64_padding_yield_the_retry_delay()
    {
        var status = new Status { Code = (int)GrpcStatusCode.ResourceExhausted, Message = "slow down" };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)) }));
        var unpadded = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');

        var parsed = OtlpRetryRules.ParseStatusDetails(unpadded);

        Assert.Equal("slow down", parsed?.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), OtlpRetryRules.RetryInfoDelay(parsed));
    }

    [Fact]
    public void Status_details_without_retry_info_or_unreadable_give_no_delay()
    {
        var status = new Status { Code = (int)GrpcStatusCode.ResourceExhausted };
        status.Details.Add(Any.Pack(new Status { Message = "not a RetryInfo" }));

        Assert.Null(OtlpRetryRules.RetryInfoDelay(OtlpRetryRules.ParseStatusDetails(Convert.ToBase64String(status.ToByteArray()))));
        Assert.Null(OtlpRetryRules.ParseStatusDetails("!!not base64!!"));
        Assert.Null(OtlpRetryRules.ParseStatusDetails(null));
    }
}
