using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

public sealed class SegmentIndexTests
{
    [Fact]
    public void A_segment_is_dead_only_once_every_id_in_it_is_deleted_past_it()
    {
        var index = new SegmentIndex();
        index.Add(1, [new SegmentEntry("a", 1, 3), new SegmentEntry("b", 1, 1)]);
        var dead = new List<long>();

        index.Delete("a", 3, dead);
        Assert.Empty(dead);
        index.Delete("b", 1, dead);

        Assert.Equal([1L], dead);
        Assert.Equal(0, index.LiveSegments);
    }

    [Fact]
    public void Deleting_up_to_the_middle_of_an_id_drops_only_the_segments_it_covers()
    {
        var index = new SegmentIndex();
        index.Add(1, [new SegmentEntry("a", 1, 2)]);
        index.Add(2, [new SegmentEntry("a", 3, 4)]);
        index.Add(3, [new SegmentEntry("a", 5, 6)]);
        var dead = new List<long>();

        index.Delete("a", 5, dead);

        Assert.Equal([1L, 2L], dead);
        Assert.Equal(1, index.LiveSegments);
    }

    [Fact]
    public void A_segment_added_after_its_events_were_deleted_is_dead_at_once()
    {
        // A deletion that ran between a commit and its Add.
        var index = new SegmentIndex();
        var dead = new List<long>();
        index.Delete("a", 5, dead);

        Assert.True(index.Add(7, [new SegmentEntry("a", 4, 5)]));
        Assert.False(index.Add(8, [new SegmentEntry("a", 6, 6)]));
        Assert.Equal(1, index.LiveSegments);
    }

    [Fact]
    public void Deleting_backwards_changes_nothing()
    {
        var index = new SegmentIndex();
        index.Add(1, [new SegmentEntry("a", 1, 2)]);
        var dead = new List<long>();
        index.Delete("a", 1, dead);
        index.Delete("a", 0, dead);

        Assert.Empty(dead);
        index.Delete("a", 2, dead);
        Assert.Equal([1L], dead);
    }
}
