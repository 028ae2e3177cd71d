// Waiting for a condition with a deadline, looking every few milliseconds.
import {setTimeout as delay} from 'node:timers/promises';

export class TimeoutError extends Error {}

// Resolves once `condition` returns true; rejects with `describe()` when `timeoutMs` passes.
// An exception thrown by `condition` ends the wait with that exception.
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string,
  everyMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    if (performance.now() > deadline) throw new TimeoutError(`${describe()} after ${Math.round(timeoutMs / 1000)} s`);
    await delay(everyMs);
  }
}
