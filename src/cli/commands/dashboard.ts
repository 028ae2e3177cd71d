// `fjd dashboard`: serves a read-only page of the home (src/dashboard/) until Ctrl-C, from a
// worker thread whose heap is bounded (../dashboard-thread.ts). The data is `fjd status`'s
// (../dashboard-source.ts).
import os from 'node:os';
import {once} from 'node:events';
import {Worker} from 'node:worker_threads';
import {Command, InvalidArgumentError} from 'commander';
import {FjdError} from '../../errors.js';
import {checkHome} from '../../home/layout.js';
import type {ThreadData, ThreadMessage} from '../dashboard-thread.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, positiveInteger, say} from '../common.js';
import {stopSignal} from '../watch.js';

export const DEFAULT_PORT = 8642;
// The server thread's old generation, in MB: about 50 MB live on a home of 100,000 jobs.
export const DEFAULT_HEAP_MB = 96;

interface DashboardOptions {
  home?: string;
  groupShared?: boolean;
  port: number;
  bind: string;
  heapMb: number;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0: any free one).');
  return n;
}

// The address to print: the host's name when bound to every address.
function shown(url: string, bind: string): string {
  return bind === '0.0.0.0' || bind === '::' ? url.replace(/\/\/[^/]+:/, `//${os.hostname()}:`) : url;
}

function cannotListen(options: DashboardOptions, code: string | null, message: string): FjdError {
  return new FjdError(
    'IO',
    `fjd dashboard cannot listen on ${options.bind} port ${options.port} (${code ?? message})`,
    {
      hint:
        code === 'EADDRINUSE'
          ? 'that port is taken: choose another with --port, or --port 0 for any free one'
          : 'check that --bind names an address of this host',
    },
  );
}

function stoppedBy(error: Error, options: DashboardOptions): FjdError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY')
    return new FjdError('IO', `fjd dashboard ran out of its ${options.heapMb} MB of heap on this home`, {
      hint: `give it more with --heap-mb ${options.heapMb * 2}`,
    });
  return new FjdError('INTERNAL', `fjd dashboard stopped: ${error.message}`, {cause: error});
}

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description(
      'serve a read-only web page of the home: counts, rate, jobs ended per minute, failures with their output, workers by host, held jobs',
    )
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .option('--port <n>', `the port to listen on (0: any free one, printed)`, port, DEFAULT_PORT)
    .option(
      '--bind <address>',
      'the address to listen on; beyond loopback a token is required, printed at start',
      '127.0.0.1',
    )
    .option('--heap-mb <n>', "the server's heap, in MB", positiveInteger('--heap-mb'), DEFAULT_HEAP_MB)
    .addHelpText(
      'after',
      `\nExit status: 0 after Ctrl-C, 2 for bad usage, 3 if it cannot listen.\n\nExamples:\n  fjd dashboard                      # http://127.0.0.1:${DEFAULT_PORT}/\n  fjd dashboard --port 0             # any free port\n  ssh -L ${DEFAULT_PORT}:127.0.0.1:${DEFAULT_PORT} login-node   # then open http://localhost:${DEFAULT_PORT}/ on the laptop\n  fjd dashboard --bind 0.0.0.0       # others on the network, with the token printed`,
    )
    .action(async (options: DashboardOptions) => {
      const paths = checkHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const data: ThreadData = {root: paths.root, bind: options.bind, port: options.port};
      const thread = new Worker(new URL('../dashboard-thread.js', import.meta.url), {
        workerData: data,
        resourceLimits: {maxOldGenerationSizeMb: options.heapMb, maxYoungGenerationSizeMb: 8},
      });
      const stop = stopSignal();
      const ended = new Promise<Error | undefined>((resolve) => {
        thread.once('error', resolve);
        thread.once('exit', () => resolve(undefined));
      });
      try {
        const [first] = (await Promise.race([once(thread, 'message'), ended.then(() => [undefined])])) as [
          ThreadMessage | undefined,
        ];
        if (first === undefined) {
          const error = await ended;
          throw error === undefined
            ? new FjdError('INTERNAL', 'fjd dashboard stopped before it listened')
            : stoppedBy(error, options);
        }
        if (first.kind === 'failed') throw cannotListen(options, first.code, first.message);
        say(`fjd dashboard of ${paths.root}: ${shown(first.url, options.bind)}`);
        if (first.token === null) say('Bound to loopback: from another machine, ssh -L and open it there (README).');
        else
          say(
            'Bound beyond loopback: the page needs its token, in the address above once (then a cookie), or the X-Fjd-Token header.',
          );
        say('Read-only; Ctrl-C stops it.');
        const why = await Promise.race([stop.stopped.then(() => undefined), ended]);
        if (why !== undefined) throw stoppedBy(why, options);
        thread.postMessage('close');
        await ended;
        process.exitCode = EXIT.ok;
      } finally {
        stop.dispose();
        await thread.terminate();
      }
    });
}
