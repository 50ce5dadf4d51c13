/** Delays: exponential queue retries, and the idle/error poll backoff of the pull loop. */

/**
 * `delay_seconds` for a retry: base × 2^(attempts − 1), capped. `attempts` is the queue's count for the current
 * delivery (1 the first time), so the delay grows with each redelivery without the drain keeping any count.
 */
export function retryDelaySeconds(attempts: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(maxSeconds, baseSeconds * 2 ** exponent);
}

/** Doubles from min to max while pulls come back empty (or fail); reset() after a non-empty pull. */
export class PollBackoff {
  private nextMs: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.nextMs = minMs;
  }

  next(): number {
    const current = this.nextMs;
    this.nextMs = Math.min(this.maxMs, this.nextMs * 2);
    return current;
  }

  reset(): void {
    this.nextMs = this.minMs;
  }
}
