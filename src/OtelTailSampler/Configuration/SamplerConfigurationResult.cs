using Microsoft.Extensions.Configuration;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Configuration;

/// <summary>The bound options when the configuration is valid; otherwise every error found.</summary>
public sealed record SamplerConfigurationResult(SamplerOptions? Options, IReadOnlyList<ConfigurationError> Errors, IConfiguration? Configuration);
