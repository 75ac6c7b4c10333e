namespace OtelTailSampler.Export;

/// <summary>What a failure line says: whether it opens a failing period, and what failed since the previous line.</summary>
/// <param name="First">The first failure after a healthy period.</param>
/// <param name="FailedAttempts">Attempts that failed since the previous line, this one included.</param>
/// <param name="Period">Time since the previous line (zero for the first).</param>
/// <param name="FailingFor">Time since the first failure of this failing period.</param>
internal readonly record struct ExportFailureReport(bool First, int FailedAttempts, TimeSpan Period, TimeSpan FailingFor);
