using OtelTailSampler.Cli;

return await SamplerCommandLine.Build().Parse(args).InvokeAsync();
