using BenchmarkDotNet.Running;
using OtelTailSampler.Benchmarks;

// dotnet run -c Release --project tests/OtelTailSampler.Benchmarks -- --filter '*' --job short
// dotnet run -c Release --project tests/OtelTailSampler.Benchmarks -- journal-paths --postgresql "Host=…"  (see JournalPathsMeasurement)
if (args.Length > 0 && args[0] == "journal-paths")
{
    return await JournalPathsMeasurement.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkData).Assembly).Run(args);
return 0;
