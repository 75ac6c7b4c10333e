namespace OtelTailSampler.LoadGen;

/// <summary>
/// What one batch of generated traffic holds: a traces request, the log records of its spans, and (every few
/// batches) a metrics request, with counts of what is in them. Disposing returns the requests' buffers.
/// </summary>
internal sealed class TrafficBatch : IDisposable
{
    public TrafficBatch(long index, IReadOnlyList<LoadRequest> requests, int traces, int spans, int errorTraces, int slowTraces, int logRecords, int dataPoints)
    {
        Index = index;
        Requests = requests;
        Traces = traces;
        Spans = spans;
        ErrorTraces = errorTraces;
        SlowTraces = slowTraces;
        LogRecords = logRecords;
        DataPoints = dataPoints;
    }

    public long Index { get; }

    /// <summary>Traces first, then logs (when any), then metrics (when due).</summary>
    public IReadOnlyList<LoadRequest> Requests { get; }

    public int Traces { get; }

    public int Spans { get; }

    public int ErrorTraces { get; }

    public int SlowTraces { get; }

    public int LogRecords { get; }

    public int DataPoints { get; }

    public void Dispose()
    {
        foreach (var request in Requests)
        {
            request.Dispose();
        }
    }
}
