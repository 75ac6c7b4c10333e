using System.Text;

namespace OtelTailSampler.Sampling;

internal sealed class ProbabilisticNode : PolicyNode
{
    private readonly ulong _seed;
    private readonly ulong _threshold;
    private readonly bool _all;

    public ProbabilisticNode(double percentage, string salt)
    {
        Percentage = percentage;
        Salt = salt.Length == 0 ? TraceIdHash.DefaultSalt : salt;
        _seed = TraceIdHash.Seed(Encoding.UTF8.GetBytes(Salt));
        _all = percentage >= 100;

        // percentage/100 × 2^64, kept below 2^64 by the branch above; the hash is kept when at most this.
        _threshold = _all ? ulong.MaxValue : (ulong)(percentage / 100 * 18446744073709551616.0);
    }

    public double Percentage { get; }

    public string Salt { get; }

    public double AdjustedCount => 100 / Percentage;

    public override bool Evaluate(in DecisionContext context) =>
        _all || (Percentage > 0 && TraceIdHash.Continue(_seed, context.TraceId) <= _threshold);

    public override double Commit(in DecisionContext context) => AdjustedCount;
}
