namespace OtelTailSampler.Otlp;

/// <summary>Names that OTLP gives each signal on the wire.</summary>
public static class OtlpSignalExtensions
{
    /// <summary>The gRPC method path of the signal's unary Export.</summary>
    public static string GrpcPath(this OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        OtlpSignal.Metrics => "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
        OtlpSignal.Logs => "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    /// <summary>The OTLP/HTTP path of the signal.</summary>
    public static string HttpPath(this OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "/v1/traces",
        OtlpSignal.Metrics => "/v1/metrics",
        OtlpSignal.Logs => "/v1/logs",
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    /// <summary>The signal whose gRPC Export method is <paramref name="path"/>; null for any other method.</summary>
    public static OtlpSignal? FromGrpcPath(string? path) => Find(path, static signal => signal.GrpcPath(), StringComparison.Ordinal);

    /// <summary>The signal whose OTLP/HTTP path is <paramref name="path"/> (any case); null for any other path.</summary>
    public static OtlpSignal? FromHttpPath(string? path) => Find(path, static signal => signal.HttpPath(), StringComparison.OrdinalIgnoreCase);

    private static OtlpSignal? Find(string? path, Func<OtlpSignal, string> pathOf, StringComparison comparison)
    {
        foreach (var signal in (ReadOnlySpan<OtlpSignal>)[OtlpSignal.Traces, OtlpSignal.Metrics, OtlpSignal.Logs])
        {
            if (string.Equals(path, pathOf(signal), comparison))
            {
                return signal;
            }
        }

        return null;
    }

    /// <summary>What the signal's items are called in partial-success messages and counters.</summary>
    public static string ItemName(this OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "spans",
        OtlpSignal.Metrics => "data points",
        OtlpSignal.Logs => "log records",
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };
}
