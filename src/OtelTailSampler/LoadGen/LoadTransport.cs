namespace OtelTailSampler.LoadGen;

/// <summary>What both senders share: the attempt deadline on the injected clock, and failures to connect, broken
/// connections and timeouts reported as <see cref="SendOutcome.Failed"/> rather than thrown.</summary>
internal static class LoadTransport
{
    public static async Task<SendResult> SendAsync(
        HttpClient client,
        HttpRequestMessage request,
        Func<HttpResponseMessage, CancellationToken, Task<SendResult>> interpret,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            return await interpret(response, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendResult.Failed($"no answer within {timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException e)
        {
            return SendResult.Failed($"request failed: {e.Message}");
        }
        catch (IOException e)
        {
            return SendResult.Failed($"connection broke: {e.Message}");
        }
    }
}
