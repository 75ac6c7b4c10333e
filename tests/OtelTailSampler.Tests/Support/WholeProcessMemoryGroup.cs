namespace OtelTailSampler.Tests.Support;

/// <summary>
/// Tests that measure the whole process's managed heap: xunit runs them apart from every other test, whose
/// allocations and collections would otherwise show in the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeProcessMemoryGroup
{
    public const string Name = "whole-process memory";
}
