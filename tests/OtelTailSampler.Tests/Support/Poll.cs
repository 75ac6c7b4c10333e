namespace OtelTailSampler.Tests.Support;

/// <summary>Waits for something another thread or process brings about (never for a timer), with a deadline.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>For a condition that asks another process: polled every 100 ms; <paramref name="lastSeen"/> goes into the failure.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, Func<string> lastSeen, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last seen:\n{lastSeen()}");
            await Task.Delay(100);
        }
    }
}
