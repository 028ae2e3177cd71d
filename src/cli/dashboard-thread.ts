// `fjd dashboard`'s server, in a worker thread of its own whose heap the command bounds
// (resourceLimits): each look at a home of 100,000 jobs makes tens of MB of garbage, which a
// heap left to grow would keep for long. It tells the command where it listens (or why it
// cannot), and closes when told.
import {parentPort, workerData} from 'node:worker_threads';
import {homePaths} from '../home/layout.js';
import {startDashboard} from '../dashboard/server.js';
import {dashboardSource} from './dashboard-source.js';

export interface ThreadData {
  root: string;
  bind: string;
  port: number;
}

export type ThreadMessage =
  | {kind: 'listening'; url: string; port: number; token: string | null}
  | {kind: 'failed'; code: string | null; message: string};

const port = parentPort;
if (port === null) throw new Error('dashboard-thread.js runs as a worker thread of fjd dashboard');
const data = workerData as ThreadData;
const paths = homePaths(data.root);
try {
  const dashboard = await startDashboard({paths, source: dashboardSource(paths), bind: data.bind, port: data.port});
  port.once('message', () => {
    void dashboard.close().then(() => port.close());
  });
  const said: ThreadMessage = {kind: 'listening', url: dashboard.url, port: dashboard.port, token: dashboard.token};
  port.postMessage(said);
} catch (error) {
  const said: ThreadMessage = {
    kind: 'failed',
    code: (error as NodeJS.ErrnoException).code ?? null,
    message: error instanceof Error ? error.message : String(error),
  };
  port.postMessage(said);
  port.close();
}
