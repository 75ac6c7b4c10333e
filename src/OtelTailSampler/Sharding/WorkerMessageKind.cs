namespace OtelTailSampler.Sharding;

internal enum WorkerMessageKind
{
    Spans,
    Tick,
    Barrier,

    /// <summary>The exporter reported on a pending export; its result waits in the worker's result queue.</summary>
    ExportDone,

    /// <summary>Recovery: a decision the journal says is complete, for the decision cache.</summary>
    RecoveredCompleted,

    /// <summary>Recovery: a trace the journal says was kept but not delivered; export it again.</summary>
    RecoveredKept,

    /// <summary>The shard moves to another node: decide its buffered traces now, then complete Done.</summary>
    DecideShard,

    /// <summary>The admin API asks about one trace: answer Lookup with its state.</summary>
    LookUpTrace,

    /// <summary>The shard came to this node from another: its late spans consult the replicated decisions for a TTL.</summary>
    ShardArrived,
}
