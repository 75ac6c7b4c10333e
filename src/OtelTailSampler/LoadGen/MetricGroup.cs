namespace OtelTailSampler.LoadGen;

/// <summary>The series of one metric of one service: one data point each per metrics request.</summary>
internal sealed class MetricGroup
{
    public required int Service { get; init; }

    public required MetricKind Kind { get; init; }

    public required byte[] Name { get; init; }

    public required byte[] Description { get; init; }

    public required byte[] Unit { get; init; }

    /// <summary>Global series numbers, which seed each series' values.</summary>
    public required int[] Series { get; init; }

    /// <summary>Each series' attributes, encoded as the repeated attributes field of its data point.</summary>
    public required byte[][] Attributes { get; init; }
}
