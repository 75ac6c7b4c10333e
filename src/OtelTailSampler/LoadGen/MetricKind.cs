namespace OtelTailSampler.LoadGen;

internal enum MetricKind
{
    Sum,
    Histogram,
    Gauge,
}
