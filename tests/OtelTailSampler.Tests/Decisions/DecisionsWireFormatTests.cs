using System.Runtime.Serialization;
using CsCheck;
using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

public sealed class DecisionsWireFormatTests
{
    private const long Iterations = 300;

    [Fact]
    public void A_state_round_trips_to_an_equal_state_and_the_same_bytes() =>
        DecisionHistories.State.Sample(
            state =>
            {
                var bytes = DecisionsWireFormat.Write(state.Epoch, state.Entries);
                var (epoch, entries) = DecisionsWireFormat.Read(bytes);
                var back = ReplicatedDecisions.Create(epoch, entries);
                Assert.Equal(state, back);
                Assert.Equal(bytes, DecisionsWireFormat.Write(back.Epoch, back.Entries));
            },
            iter: Iterations);

    [Fact]
    public void Equal_states_built_in_different_orders_give_equal_bytes() =>
        Gen.Select(DecisionHistories.State, DecisionHistories.State, DecisionHistories.State).Sample(
            (a, b, c) =>
            {
                var one = a.Merge(b).Merge(c);
                var other = c.Merge(b.Merge(a));
                Assert.Equal(one, other);
                Assert.Equal(DecisionsWireFormat.Write(one.Epoch, one.Entries), DecisionsWireFormat.Write(other.Epoch, other.Entries));
            },
            iter: Iterations);

    [Fact]
    public void A_delta_round_trips() =>
        DecisionHistories.History.Sample(
            history =>
            {
                foreach (var delta in DecisionHistories.Replay(history).Deltas.SelectMany(deltas => deltas))
                {
                    var (epoch, entries) = DecisionsWireFormat.Read(DecisionsWireFormat.Write(delta.Epoch, delta.Entries));
                    Assert.Equal(delta, new ReplicatedDecisionsDelta(epoch, entries));
                }
            },
            iter: Iterations);

    [Fact]
    public void Entries_are_written_compactly_in_trace_id_order()
    {
        var state = ReplicatedDecisions.Empty
            .Add(300, new TraceId(2, 0), TraceDecision.Keep(200, 4))
            .Add(300, new TraceId(1, 0), TraceDecision.Dropped);

        var bytes = DecisionsWireFormat.Write(state.Epoch, state.Entries);

        // Version, epoch 300 as a 2-byte varint, count; then the dropped entry (17 bytes) before the kept (16 + 1 +
        // policy 200 as a 2-byte varint + 8).
        Assert.Equal(1 + 2 + 1 + 17 + 27, bytes.Length);
        Assert.Equal(new byte[] { 1, 0xAC, 0x02, 2 }, bytes[..4]);
        Assert.Equal(new TraceId(1, 0), TraceId.FromBytes(bytes.AsSpan(4, 16)));
        Assert.Equal(0, bytes[20]);
        Assert.Equal(new TraceId(2, 0), TraceId.FromBytes(bytes.AsSpan(21, 16)));
        Assert.Equal(new byte[] { 1, 0xC8, 0x01 }, bytes[37..40]);
        Assert.Equal(4.0, BitConverter.ToDouble(bytes, 40));
    }

    [Fact]
    public void Counts_keep_their_exact_bits()
    {
        var negativeZero = ReplicatedDecisions.Empty.Add(1, new TraceId(0, 1), TraceDecision.Keep(0, -0.0));
        var (_, entries) = DecisionsWireFormat.Read(DecisionsWireFormat.Write(negativeZero.Epoch, negativeZero.Entries));

        Assert.True(double.IsNegative(entries[new TraceId(0, 1)].AdjustedCount));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0x80 })]
    [InlineData(new byte[] { 1, 0x80, 0x00, 0 })]
    [InlineData(new byte[] { 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2 })]
    [InlineData(new byte[] { 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0 })]
    public void Malformed_bytes_are_rejected(byte[] bytes) =>
        Assert.Throws<SerializationException>(() => DecisionsWireFormat.Read(bytes));

    [Fact]
    public void Entries_out_of_order_or_repeated_are_rejected()
    {
        var state = ReplicatedDecisions.Empty.Add(1, new TraceId(0, 1), TraceDecision.Dropped).Add(1, new TraceId(0, 2), TraceDecision.Dropped);
        var bytes = DecisionsWireFormat.Write(state.Epoch, state.Entries);
        var swapped = bytes.ToArray();
        bytes.AsSpan(3, 17).CopyTo(swapped.AsSpan(20));
        bytes.AsSpan(20, 17).CopyTo(swapped.AsSpan(3));
        var repeated = bytes.ToArray();
        bytes.AsSpan(3, 17).CopyTo(repeated.AsSpan(20));

        Assert.Throws<SerializationException>(() => DecisionsWireFormat.Read(swapped));
        Assert.Throws<SerializationException>(() => DecisionsWireFormat.Read(repeated));
    }
}
