// `fjd dashboard`: serves a read-only page of the home (src/dashboard/) until Ctrl-C. The data
// is `fjd status`'s, built here and handed to the server as functions, as is the report's CSV.
import os from 'node:os';
import {Command, InvalidArgumentError} from 'commander';
import {FjdError} from '../../errors.js';
import {checkHome, type HomePaths} from '../../home/layout.js';
import {collectStatus} from '../../status/status.js';
import {whyWaiting} from '../../status/why-waiting.js';
import {startDashboard, type DashboardSource} from '../../dashboard/server.js';
import {reportCsv} from '../report-csv.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say} from '../common.js';
import {stopSignal} from '../watch.js';

export const DEFAULT_PORT = 8642;
// The open jobs the page's summary lists one by one (all are counted).
const OPEN_LISTED = 200;

interface DashboardOptions {
  home?: string;
  groupShared?: boolean;
  port: number;
  bind: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0: any free one).');
  return n;
}

function source(paths: HomePaths): DashboardSource {
  return {
    status: () => collectStatus(paths.root, Date.now(), process.env, {listEnded: true}),
    summary: () => {
      const report = collectStatus(paths.root, Date.now(), process.env, {listEnded: false});
      let open = 0;
      return {...report, jobs: report.jobs.filter((job) => job.state !== 'open' || ++open <= OPEN_LISTED)};
    },
    held: (most) => {
      const report = collectStatus(paths.root, Date.now(), process.env, {listEnded: false});
      const open = report.jobs.filter((job) => job.state === 'open').slice(0, most);
      return open.map((job) => ({
        name: job.name,
        file: job.file,
        waiting: whyWaiting(paths, `${paths.root}/${job.file}`),
      }));
    },
    reportCsv: () => reportCsv(paths),
  };
}

// The address to print: the host's name when bound to every address.
function shown(url: string, bind: string): string {
  return bind === '0.0.0.0' || bind === '::' ? url.replace(/\/\/[^/]+:/, `//${os.hostname()}:`) : url;
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
    .addHelpText(
      'after',
      `\nExit status: 0 after Ctrl-C, 2 for bad usage, 3 if it cannot listen.\n\nExamples:\n  fjd dashboard                      # http://127.0.0.1:${DEFAULT_PORT}/\n  fjd dashboard --port 0             # any free port\n  ssh -L ${DEFAULT_PORT}:127.0.0.1:${DEFAULT_PORT} login-node   # then open http://localhost:${DEFAULT_PORT}/ on the laptop\n  fjd dashboard --bind 0.0.0.0       # others on the network, with the token printed`,
    )
    .action(async (options: DashboardOptions) => {
      const paths = checkHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const stop = stopSignal();
      let dashboard;
      try {
        dashboard = await startDashboard({paths, source: source(paths), bind: options.bind, port: options.port});
      } catch (error) {
        stop.dispose();
        const code = (error as NodeJS.ErrnoException).code;
        throw new FjdError(
          'IO',
          `fjd dashboard cannot listen on ${options.bind} port ${options.port} (${code ?? String(error)})`,
          {
            cause: error,
            hint:
              code === 'EADDRINUSE'
                ? 'that port is taken: choose another with --port, or --port 0 for any free one'
                : 'check --bind names an address of this host',
          },
        );
      }
      say(`fjd dashboard of ${paths.root}: ${shown(dashboard.url, options.bind)}`);
      if (dashboard.token === null) say('Bound to loopback: from another machine, ssh -L and open it there (README).');
      else
        say(
          `Bound beyond loopback: the page needs its token, in the address above once (then a cookie), or the X-Fjd-Token header.`,
        );
      say('Read-only; Ctrl-C stops it.');
      await stop.stopped;
      stop.dispose();
      await dashboard.close();
      process.exitCode = EXIT.ok;
    });
}
