// Waiting for a condition with a deadline; never a fixed sleep.
import {setTimeout as delay} from 'node:timers/promises';

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (await condition()) return;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(25);
  }
}
