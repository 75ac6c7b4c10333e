using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

public sealed class AtomicWriteTests
{
    [Fact]
    public void A_write_numbers_its_events_from_the_first_and_counts_their_bytes()
    {
        var write = new AtomicWrite("p", 5, [new PendingEvent(1, new byte[10]), new PendingEvent(2, new byte[3]), new PendingEvent(3, default)]);

        Assert.Equal(7, write.HighestSequenceNr);
        Assert.Equal(13, write.PayloadBytes);
    }

    [Fact]
    public void Changing_the_callers_list_afterwards_does_not_change_the_write()
    {
        List<PendingEvent> events = [new(1, new byte[4])];
        var write = new AtomicWrite("p", 1, events);

        events.Add(new PendingEvent(1, new byte[100]));

        Assert.Single(write.Events);
        Assert.Equal(4, write.PayloadBytes);
    }

    [Fact]
    public void A_write_needs_an_id_a_positive_sequence_nr_and_an_event()
    {
        Assert.ThrowsAny<ArgumentException>(() => new AtomicWrite("", 1, 1, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AtomicWrite("p", 0, 1, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AtomicWrite("p", 1, []));
    }
}
