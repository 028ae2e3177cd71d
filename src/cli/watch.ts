// Redrawing something every interval until Ctrl-C, SIGINT or SIGTERM, which is how one leaves
// a watch (so it ends with exit 0). On a terminal each block replaces the last in place (cursor
// home, then clear to the end of the screen, written at once so it does not flicker);
// elsewhere each block follows the last after a blank line, or one line each with `lines`.
import {setTimeout as delay} from 'node:timers/promises';

export interface WatchOptions {
  intervalMs: number;
  // One line per block (NDJSON), never redrawn in place.
  lines?: boolean;
}

// Resolves when a stop signal arrives; `dispose` takes the handlers away again.
export function stopSignal(): {stopped: Promise<NodeJS.Signals>; abort: AbortSignal; dispose(): void} {
  const controller = new AbortController();
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      controller.abort();
      resolve(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    stopped,
    abort: controller.signal,
    dispose: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)),
  };
}

export async function watch(render: () => string, options: WatchOptions): Promise<void> {
  const stop = stopSignal();
  const redraw = options.lines !== true && process.stdout.isTTY;
  try {
    for (let first = true; !stop.abort.aborted; first = false) {
      const block = render();
      process.stdout.write(redraw ? `\x1b[H\x1b[J${block}` : first || options.lines === true ? block : `\n${block}`);
      await delay(options.intervalMs, undefined, {signal: stop.abort}).catch(() => undefined);
    }
  } finally {
    stop.dispose();
  }
}
