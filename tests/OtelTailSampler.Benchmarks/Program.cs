using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/OtelTailSampler.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(OtelTailSampler.Benchmarks.BenchmarkData).Assembly).Run(args);
