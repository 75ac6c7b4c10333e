using OtelTailSampler.Cluster;

namespace OtelTailSampler.Tests.Cluster;

public sealed class ClusterAddressesTests
{
    [Theory]
    [InlineData("sampler-1:4319", "akka.tcp://otel-sampler@sampler-1:4319")]
    [InlineData(" 10.0.0.5:4319 ", "akka.tcp://otel-sampler@10.0.0.5:4319")]
    [InlineData("akka.tcp://otel-sampler@sampler-1:4319", "akka.tcp://otel-sampler@sampler-1:4319")]
    [InlineData(" akka.trttl.tcp://otel-sampler@127.0.0.1:4319", "akka.trttl.tcp://otel-sampler@127.0.0.1:4319")]
    public void A_seed_is_host_and_port_or_an_akka_address_passed_through(string seed, string address)
    {
        Assert.True(ClusterAddresses.IsSeed(seed.Trim()));
        Assert.Equal(address, ClusterAddresses.SeedAddress(seed));
        Assert.Equal([address], ClusterAddresses.From(new ClusterOptions { Endpoint = "127.0.0.1:4319", SeedNodes = [seed] }).SeedNodes);
    }

    [Theory]
    [InlineData("sampler-1")]
    [InlineData("sampler-1:0")]
    [InlineData("akka.tcp://other-system@sampler-1:4319")]
    [InlineData("akka.tcp://otel-sampler@sampler-1")]
    [InlineData("http://otel-sampler@sampler-1:4319")]
    [InlineData("akka.tcp://")]
    public void Anything_else_is_not_a_seed(string seed) => Assert.False(ClusterAddresses.IsSeed(seed));
}
