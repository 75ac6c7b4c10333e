namespace OtelTailSampler.LoadGen;

/// <summary>What a generated span stands for, which decides its kind, name and attributes.</summary>
internal enum SpanRole
{
    /// <summary>A service handling an HTTP request (SERVER).</summary>
    Server,

    /// <summary>A service calling another (CLIENT); the callee's Server span is its child.</summary>
    Client,

    /// <summary>A database call (CLIENT, a leaf).</summary>
    Database,

    /// <summary>Work inside a service (INTERNAL).</summary>
    Internal,
}
