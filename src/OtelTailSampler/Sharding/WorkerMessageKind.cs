namespace OtelTailSampler.Sharding;

internal enum WorkerMessageKind
{
    Spans,
    Tick,
    Barrier,
}
