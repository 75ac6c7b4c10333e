namespace OtelTailSampler.LoadGen;

/// <summary>One transport to one endpoint: sends a request once and says how it was answered.</summary>
internal interface ILoadSender
{
    Uri Endpoint { get; }

    /// <summary>One attempt, within <paramref name="timeout"/>. Only cancellation of <paramref name="cancellationToken"/> throws.</summary>
    Task<SendResult> SendAsync(LoadRequest request, TimeSpan timeout, CancellationToken cancellationToken);
}
