using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Otlp.Grpc;

public sealed class GrpcUnframeTests
{
    private static byte[] Frame(byte[] payload, bool compressed = false, int? declaredLength = null)
    {
        var frame = new byte[GrpcProtocol.FrameHeaderLength + payload.Length];
        GrpcProtocol.WriteFrameHeader(frame, compressed, declaredLength ?? payload.Length);
        payload.CopyTo(frame, GrpcProtocol.FrameHeaderLength);
        return frame;
    }

    [Fact]
    public void Plain_frame_yields_its_payload()
    {
        var (status, _, payload) = OtlpGrpcReceiver.Unframe(Frame([1, 2, 3]), "", 100, out var inflated);

        Assert.Equal(GrpcStatusCode.Ok, status);
        Assert.Equal([1, 2, 3], payload.ToArray());
        Assert.Null(inflated);
    }

    [Fact]
    public void Gzip_frame_is_inflated()
    {
        var (status, _, payload) = OtlpGrpcReceiver.Unframe(Frame(RequestBody.Gzip([7, 8, 9]), compressed: true), "gzip", 100, out var inflated);
        using (inflated)
        {
            Assert.Equal(GrpcStatusCode.Ok, status);
            Assert.Equal([7, 8, 9], payload.ToArray());
        }
    }

    [Theory]
    [InlineData(new byte[0], GrpcStatusCode.InvalidArgument, "No request message")]
    [InlineData(new byte[] { 0, 0, 0 }, GrpcStatusCode.InvalidArgument, "Incomplete message frame header")]
    public void Short_bodies_are_invalid(byte[] body, GrpcStatusCode expected, string message)
    {
        var (status, text, _) = OtlpGrpcReceiver.Unframe(body, "", 100, out _);

        Assert.Equal(expected, status);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Frame_longer_than_the_body_is_invalid()
    {
        var (status, text, _) = OtlpGrpcReceiver.Unframe(Frame([1, 2, 3], declaredLength: 50), "", 100, out _);

        Assert.Equal(GrpcStatusCode.InvalidArgument, status);
        Assert.Contains("declares 50 bytes", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Frame_over_the_limit_is_resource_exhausted()
    {
        var (status, _, _) = OtlpGrpcReceiver.Unframe(Frame([1, 2, 3], declaredLength: 5000), "", 100, out _);

        Assert.Equal(GrpcStatusCode.ResourceExhausted, status);
    }

    [Fact]
    public void Gzip_bomb_stops_at_the_limit()
    {
        var bomb = GzipBomb.Create(10 * 1024 * 1024);

        var (status, _, _) = OtlpGrpcReceiver.Unframe(Frame(bomb, compressed: true), "gzip", 1024 * 1024, out var inflated);
        using (inflated)
        {
            Assert.Equal(GrpcStatusCode.ResourceExhausted, status);
            Assert.True(bomb.Length < 20 * 1024);

            // It stopped one chunk past the limit instead of inflating all 10 MiB.
            Assert.True(inflated!.WrittenCount <= 1024 * 1024 + (64 * 1024));
        }
    }

    [Fact]
    public void Unknown_encoding_is_unimplemented()
    {
        var (status, _, _) = OtlpGrpcReceiver.Unframe(Frame([1], compressed: true), "snappy", 100, out _);

        Assert.Equal(GrpcStatusCode.Unimplemented, status);
    }

    [Fact]
    public void Two_frames_in_a_unary_call_are_invalid()
    {
        var body = Frame([1]).Concat(Frame([2])).ToArray();

        var (status, _, _) = OtlpGrpcReceiver.Unframe(body, "", 100, out _);

        Assert.Equal(GrpcStatusCode.InvalidArgument, status);
    }
}
