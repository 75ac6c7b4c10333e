using OtelTailSampler.Configuration;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sampling;

/// <summary>
/// The configured policies compiled for one node: span-level predicates run once
/// per span (<see cref="ObserveSpan"/>) and per resource (<see cref="ObserveResource"/>) and leave bits in
/// the trace's <see cref="TraceFacts"/>; <see cref="Decide(in TraceFacts, ReadOnlySpan{byte})"/> combines the
/// facts at decision time. Nothing on these paths allocates. One instance serves every trace shard of a node: the
/// observing paths keep no state, and rate budgets (the node's rates) are spent under a lock, taken only when a
/// policy has a budget, once per decision.
/// </summary>
/// <remarks>
/// A decision: drop policies are checked first, and one that matches drops the trace. Otherwise the other
/// policies are asked in configured order and the first that keeps the trace decides; later ones are not
/// asked, so a rate limit after an always-keeping policy spends nothing on the traces it already kept.
/// </remarks>
public sealed class PolicySet
{
    // Span fields (opentelemetry/proto/trace/v1/trace.proto).
    private const int SpanTraceState = 3;
    private const int SpanParentSpanId = 4;
    private const int SpanKindField = 6;
    private const int SpanStartTime = 7;
    private const int SpanEndTime = 8;
    private const int SpanAttributes = 9;
    private const int SpanStatus = 15;
    private const int SpanFlags = 16;
    private const int StatusCode = 3;
    private const int ResourceAttributes = 1;

    private readonly SpanPredicateTable _predicates;
    private readonly PolicyNode[] _nodes;
    private readonly string[] _names;
    private readonly int[] _dropPolicies;
    private readonly int[] _keepPolicies;
    private readonly bool _readsClock;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _budgets = new();

    private PolicySet(PolicySetOptions options, double shareOfRate, TimeProvider timeProvider)
    {
        var builder = new SpanPredicateTableBuilder();
        var compiler = new PolicyCompiler(builder, shareOfRate, timeProvider);
        _nodes = options.Policies.Select(compiler.Compile).ToArray();
        _predicates = builder.Build();
        _names = options.Policies.Select(policy => policy.Name).ToArray();
        _dropPolicies = Enumerable.Range(0, _nodes.Length).Where(i => options.Policies[i] is DropPolicyOptions).ToArray();
        _keepPolicies = Enumerable.Range(0, _nodes.Length).Where(i => options.Policies[i] is not DropPolicyOptions).ToArray();
        _readsClock = _nodes.Any(node => node.IsStateful);
        _timeProvider = timeProvider;
        Options = options;
        PolicyNames = _names;
    }

    /// <summary>
    /// The default policies (<see cref="PolicySetOptions.Default"/>). They keep no rate state, so one instance
    /// serves every node of a process.
    /// </summary>
    public static PolicySet Default { get; } = Create(PolicySetOptions.Default, 1, TimeProvider.System);

    public PolicySetOptions Options { get; }

    /// <summary>The configured names, by policy index.</summary>
    public IReadOnlyList<string> PolicyNames { get; }

    /// <summary>Distinct span-level predicates, at most 64.</summary>
    public int PredicateCount => _predicates.Count;

    /// <summary>Compiles the policies for one node.</summary>
    /// <param name="shareOfRate">The fraction (0, 1] of every configured rate this instance enforces: 1 for a node's set.</param>
    /// <param name="timeProvider">The clock that refills rate budgets.</param>
    /// <exception cref="InvalidOperationException">The policies need more than 64 span predicates (binding reports this as an error).</exception>
    public static PolicySet Create(PolicySetOptions options, double shareOfRate, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!(shareOfRate > 0 && shareOfRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(shareOfRate), shareOfRate, "The share of the configured rates must be in (0, 1].");
        }

        return new PolicySet(options, shareOfRate, timeProvider);
    }

    /// <summary>
    /// Binds <c>policies</c> of a <c>sampler.sampling</c> section and compiles them. Mistakes are recorded in
    /// <paramref name="sampling"/>'s errors. Bind <see cref="PolicySetOptions"/> once and
    /// <see cref="Create"/> sets from it, so errors are reported once.
    /// </summary>
    public static PolicySet Bind(SettingsReader sampling, double shareOfRate, TimeProvider timeProvider)
    {
        var options = PolicySetOptions.Bind(sampling);
        return Create(options, shareOfRate, timeProvider);
    }

    /// <summary>Evaluates the attribute predicates on an encoded <c>Resource</c>; OR the result into each of its traces.</summary>
    public ulong ObserveResource(ReadOnlySpan<byte> resourceBytes)
    {
        if (!_predicates.ReadsAttributes)
        {
            return 0;
        }

        ulong bits = 0;
        var reader = new ProtoReader(resourceBytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ResourceAttributes && wireType == WireType.LengthDelimited)
            {
                bits |= _predicates.MatchAttribute(reader.ReadLengthDelimited());
            }
            else
            {
                reader.SkipField(field, wireType);
            }
        }

        return bits;
    }

    /// <summary>
    /// Reads an encoded <c>Span</c> in one pass: returns what the trace shard needs of it, and adds it to the trace's
    /// facts, predicates evaluated.
    /// </summary>
    /// <exception cref="ProtoWireException">The bytes are not a well-formed message.</exception>
    public SpanInfo ObserveSpan(ReadOnlySpan<byte> spanBytes, ref TraceFacts facts)
    {
        ulong start = 0;
        ulong end = 0;
        var isRoot = true;
        var status = SpanStatusCode.Unset;
        var kind = SpanKind.Unspecified;
        uint flags = 0;
        ulong bits = 0;

        var reader = new ProtoReader(spanBytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case SpanTraceState when wireType == WireType.LengthDelimited && _predicates.ReadsTraceState:
                    bits |= _predicates.MatchTraceState(reader.ReadLengthDelimited());
                    break;
                case SpanParentSpanId when wireType == WireType.LengthDelimited:
                    // Empty is a root; all zeros is the W3C invalid span ID, so no parent either.
                    isRoot = reader.ReadLengthDelimited().IndexOfAnyExcept((byte)0) < 0;
                    break;
                case SpanKindField when wireType == WireType.Varint:
                    kind = (SpanKind)Math.Min(reader.ReadVarint(), byte.MaxValue);
                    break;
                case SpanStartTime when wireType == WireType.Fixed64:
                    start = reader.ReadFixed64();
                    break;
                case SpanEndTime when wireType == WireType.Fixed64:
                    end = reader.ReadFixed64();
                    break;
                case SpanAttributes when wireType == WireType.LengthDelimited && _predicates.ReadsAttributes:
                    bits |= _predicates.MatchAttribute(reader.ReadLengthDelimited());
                    break;
                case SpanStatus when wireType == WireType.LengthDelimited:
                    status = ReadStatusCode(reader.ReadLengthDelimited());
                    break;
                case SpanFlags when wireType == WireType.Fixed32:
                    flags = reader.ReadFixed32();
                    break;
                default:
                    reader.SkipField(field, wireType);
                    break;
            }
        }

        bits |= _predicates.MatchFlags(flags);
        var span = new SpanInfo(start, end, isRoot, status, kind, flags);
        facts.AddSpan(spanBytes.Length, span, bits);
        return span;
    }

    /// <summary>Decides a trace now (by the <see cref="TimeProvider"/> given at creation).</summary>
    public SamplingDecision Decide(in TraceFacts facts, ReadOnlySpan<byte> traceId) =>
        Decide(facts, traceId, _readsClock ? _timeProvider.GetTimestamp() : 0);

    /// <summary>Decides a trace at <paramref name="timestamp"/>, a reading of the creation's <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public SamplingDecision Decide(in TraceFacts facts, ReadOnlySpan<byte> traceId, long timestamp)
    {
        if (!_readsClock)
        {
            return DecideUnlocked(facts, traceId, timestamp);
        }

        lock (_budgets)
        {
            return DecideUnlocked(facts, traceId, timestamp);
        }
    }

    private SamplingDecision DecideUnlocked(in TraceFacts facts, ReadOnlySpan<byte> traceId, long timestamp)
    {
        var context = new DecisionContext(in facts, traceId, timestamp);
        foreach (var index in _dropPolicies)
        {
            if (_nodes[index].Evaluate(context))
            {
                _nodes[index].Commit(context);
                return SamplingDecision.Dropped(index, _names[index]);
            }
        }

        foreach (var index in _keepPolicies)
        {
            if (_nodes[index].Evaluate(context))
            {
                return SamplingDecision.Kept(index, _names[index], _nodes[index].Commit(context));
            }
        }

        return SamplingDecision.NotKept;
    }

    private static SpanStatusCode ReadStatusCode(ReadOnlySpan<byte> status)
    {
        var code = SpanStatusCode.Unset;
        var reader = new ProtoReader(status);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == StatusCode && wireType == WireType.Varint)
            {
                // Codes beyond ERROR are not in OTLP; treat them as unset rather than invent a meaning.
                var value = reader.ReadVarint();
                code = value <= (ulong)SpanStatusCode.Error ? (SpanStatusCode)value : SpanStatusCode.Unset;
            }
            else
            {
                reader.SkipField(field, wireType);
            }
        }

        return code;
    }
}
