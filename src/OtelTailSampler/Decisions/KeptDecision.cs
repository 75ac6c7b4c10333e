namespace OtelTailSampler.Decisions;

/// <summary>A kept decision as late spans need it: which policy kept the trace and how many traces it stands for.</summary>
public readonly record struct KeptDecision(int PolicyIndex, double AdjustedCount);
