namespace OtelTailSampler.Tests.Persistence;

/// <summary>Tests that share one PostgreSQL server; xunit runs them one at a time, so one may stop the server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlServerGroup : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "PostgreSQL server";
}
