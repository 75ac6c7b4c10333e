namespace OtelTailSampler.Sharding;

/// <summary>One client request whose parts are with their owners: completes true when every part is journaled.</summary>
internal sealed class PendingForward
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingForward(long requestId, int parts, long deadline)
    {
        RequestId = requestId;
        Unanswered = parts;
        Deadline = deadline;
    }

    public long RequestId { get; }

    /// <summary>Parts not answered yet; only <see cref="ForwardReplies"/> touches it.</summary>
    public int Unanswered { get; set; }

    /// <summary>A TimeProvider timestamp after which the client is told to retry.</summary>
    public long Deadline { get; }

    public Task<bool> Task => _done.Task;

    public void Complete(bool accepted) => _done.TrySetResult(accepted);
}
