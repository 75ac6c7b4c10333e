using System.Globalization;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The layout of the replicated decision keys: shards in <see cref="Groups"/> groups (<c>shard % groups</c>),
/// time in slots of <see cref="SlotLength"/> (<c>slot = floor(unix-ms / slot-length)</c>), and for each group a
/// ring of <see cref="RingSize"/> keys named <c>decisions-{group}-{slot % ring}</c>. A key holds one slot's
/// decisions and is reused, with the newer slot as its epoch, once that slot comes round again.
/// </summary>
/// <remarks>
/// The ring is <c>ceil(ttl / slot-length) + 1</c> slots: the current slot plus enough older ones to cover the
/// TTL, so a key is reused only when its newest decision is at least the TTL old. Immutable; the keys are built
/// once, so finding one on the hot path allocates nothing.
/// </remarks>
public sealed class DecisionKeys
{
    /// <summary>The default of <c>sampler.decisions.ttl</c>.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);

    /// <summary>Akka's guidance for the number of top-level DData entries.</summary>
    public const int MaxKeys = 100_000;

    private readonly ReplicatedDecisionsKey[] _keys;
    private readonly long _slotMilliseconds;

    public DecisionKeys(int groups, TimeSpan slotLength, TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotLength, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        if (slotLength.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentException($"The slot length must be whole milliseconds, not {slotLength}.", nameof(slotLength));
        }

        var ringSize = (ttl.Ticks + slotLength.Ticks - 1) / slotLength.Ticks + 1;
        if (ringSize * groups > MaxKeys)
        {
            throw new ArgumentException(
                $"{groups} groups × {ringSize} slots is {ringSize * groups} keys, over the {MaxKeys} DData keys Akka advises: use longer slots or fewer groups.",
                nameof(groups));
        }

        Groups = groups;
        SlotLength = slotLength;
        Ttl = ttl;
        RingSize = (int)ringSize;
        _slotMilliseconds = slotLength.Ticks / TimeSpan.TicksPerMillisecond;
        _keys = new ReplicatedDecisionsKey[groups * RingSize];
        for (var group = 0; group < groups; group++)
        {
            for (var position = 0; position < RingSize; position++)
            {
                _keys[group * RingSize + position] = new ReplicatedDecisionsKey(KeyId(group, position));
            }
        }
    }

    public int Groups { get; }

    public TimeSpan SlotLength { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Keys per group: <c>ceil(ttl / slot-length) + 1</c>.</summary>
    public int RingSize { get; }

    /// <summary>Every key, group by group, ring position by ring position: what a node subscribes to.</summary>
    public IReadOnlyList<ReplicatedDecisionsKey> AllKeys => _keys;

    /// <summary>The stable id of a key: <c>decisions-{group}-{ring position}</c>.</summary>
    public static string KeyId(int group, int ringPosition) =>
        string.Create(CultureInfo.InvariantCulture, $"decisions-{group}-{ringPosition}");

    public int GroupOf(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return shard % Groups;
    }

    /// <summary>The absolute slot of an instant: the epoch of the decisions made in it.</summary>
    public long SlotAt(long unixMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        return unixMilliseconds / _slotMilliseconds;
    }

    public long SlotAt(DateTimeOffset time) => SlotAt(time.ToUnixTimeMilliseconds());

    /// <summary>The key that holds <paramref name="group"/>'s decisions of absolute slot <paramref name="slot"/>.</summary>
    public ReplicatedDecisionsKey KeyFor(int group, long slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, Groups);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return _keys[group * RingSize + (int)(slot % RingSize)];
    }

    public ReplicatedDecisionsKey KeyForShard(int shard, long slot) => KeyFor(GroupOf(shard), slot);

    /// <summary>
    /// Whether decisions of slot <paramref name="epoch"/> are still kept when the current slot is
    /// <paramref name="currentSlot"/>: the slots of the ring, the current one and the ones before it.
    /// </summary>
    public bool IsLive(long epoch, long currentSlot) => epoch <= currentSlot && currentSlot - epoch < RingSize;
}
