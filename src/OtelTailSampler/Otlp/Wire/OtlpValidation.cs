namespace OtelTailSampler.Otlp.Wire;

/// <summary>
/// What validation made of a request. <see cref="Request"/> is what to pass on: the original bytes when every
/// item was valid, or a rewritten request without the rejected items.
/// </summary>
public readonly record struct OtlpValidation(ReadOnlyMemory<byte> Request, int AcceptedItems, int RejectedItems, string? RejectionMessage);
