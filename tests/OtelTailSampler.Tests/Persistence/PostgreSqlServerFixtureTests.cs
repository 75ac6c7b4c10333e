using OtelTailSampler.Tests.Configuration;

namespace OtelTailSampler.Tests.Persistence;

public sealed class PostgreSqlServerFixtureTests
{
    [Fact]
    public void Without_the_server_binaries_the_fixture_fails_saying_how_to_install_them()
    {
        using var empty = new TemporaryDirectory();

        var error = Assert.Throws<InvalidOperationException>(() => PostgreSqlServerFixture.FindBinDirectory(empty.Path));

        Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_15_is_preferred_over_a_newer_one()
    {
        using var root = new TemporaryDirectory();
        foreach (var version in new[] { "14", "15", "16" })
        {
            root.Write($"{version}/bin/initdb", "");
            root.Write($"{version}/bin/pg_ctl", "");
        }

        root.Write("17/bin/initdb", "");

        Assert.Equal(Path.Combine(root.Path, "15", "bin"), PostgreSqlServerFixture.FindBinDirectory(root.Path));
    }
}
