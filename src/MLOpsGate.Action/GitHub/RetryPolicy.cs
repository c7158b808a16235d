using System.Globalization;
using System.Net;
using Octokit;

namespace MLOpsGate.Action.GitHub;

/// <summary>
/// Bounded retries for GitHub calls (Octokit retries nothing): server errors (5xx) and transport failures with
/// exponential backoff, secondary rate limits (403/429 with `Retry-After` or `x-ratelimit-reset`) after the
/// wait GitHub asks for. Every wait is capped, and the wait itself is injectable so tests do not sleep.
/// </summary>
internal sealed class RetryPolicy
{
    private readonly Func<TimeSpan, CancellationToken, Task> delay;
    private readonly TimeProvider clock;

    public RetryPolicy(Func<TimeSpan, CancellationToken, Task>? delay = null, int maxAttempts = 4, TimeSpan? maxDelay = null, TimeProvider? clock = null)
    {
        this.delay = delay ?? ((wait, token) => Task.Delay(wait, token));
        this.clock = clock ?? TimeProvider.System;
        MaxAttempts = maxAttempts;
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(60);
    }

    public int MaxAttempts { get; }

    public TimeSpan MaxDelay { get; }

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception exception) when (attempt < MaxAttempts && DelayFor(exception, attempt) is { } wait)
            {
                await delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1, or null when the failure is not worth retrying.</summary>
    internal TimeSpan? DelayFor(Exception exception, int attempt)
    {
        var backoff = TimeSpan.FromTicks(FirstBackoff.Ticks * (1L << Math.Min(attempt - 1, 10)));
        switch (exception)
        {
            case ApiException api:
                var status = (int)api.StatusCode;
                var asked = RequestedWait(api);
                if (status >= 500)
                {
                    return Cap(asked ?? backoff);
                }

                if (status == 429 || (api.StatusCode == HttpStatusCode.Forbidden && (asked is not null || IsRateLimit(api))))
                {
                    // GitHub: without a Retry-After, wait at least a minute after a secondary rate limit.
                    return Cap(asked ?? TimeSpan.FromSeconds(60));
                }

                return null;
            case HttpRequestException:
            case TaskCanceledException:
                return Cap(backoff);
            default:
                return null;
        }
    }

    private TimeSpan Cap(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxDelay ? MaxDelay : wait;

    private static bool IsRateLimit(ApiException api) =>
        api is RateLimitExceededException or SecondaryRateLimitExceededException or AbuseException ||
        (api.Message?.Contains("rate limit", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>`Retry-After` (seconds), else `x-ratelimit-reset` (epoch seconds) when `x-ratelimit-remaining` is 0.</summary>
    private TimeSpan? RequestedWait(ApiException api)
    {
        var headers = api.HttpResponse?.Headers;
        if (headers is null)
        {
            return null;
        }

        string? Header(string name) => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        if (double.TryParse(Header("Retry-After"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (Header("x-ratelimit-remaining") == "0" &&
            long.TryParse(Header("x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            return DateTimeOffset.FromUnixTimeSeconds(reset) - clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        }

        return null;
    }
}
