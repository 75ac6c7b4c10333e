using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>
/// One step of a generated history: on <paramref name="Replica"/>, join <paramref name="Decision"/> for the trace
/// in slot <paramref name="Epoch"/> (or, when <paramref name="AdvanceOnly"/>, only move to that slot), and end the
/// Replicator update there when <paramref name="EndsUpdate"/>, taking and resetting the delta.
/// </summary>
internal readonly record struct DecisionOperation(
    int Replica,
    long Epoch,
    TraceId TraceId,
    TraceDecision Decision,
    bool AdvanceOnly,
    bool EndsUpdate)
{
    public ReplicatedDecisions ApplyTo(ReplicatedDecisions state) =>
        AdvanceOnly ? state.AdvanceTo(Epoch) : state.Add(Epoch, TraceId, Decision);

    public override string ToString() =>
        $"r{Replica} e{Epoch} {(AdvanceOnly ? "advance" : $"{TraceId.Low} {Decision}")}{(EndsUpdate ? " |" : string.Empty)}";
}
