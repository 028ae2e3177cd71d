// `fjd dashboard`'s web server: a read-only page of the home and the JSON behind it. It answers
// GET and HEAD alone and writes nothing in the home; a job is named by its id, and its output
// files are found from that id (output-tail.ts); who may ask is access.ts's. What the home
// holds comes from the source the caller gives (the command builds it from `fjd status`'s
// data), and from the records, output files and listings of the ended jobs read here.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {HomePaths} from '../home/layout.js';
import {readRecord} from '../home/record.js';
import {checkAccess, isLoopback, newToken} from './access.js';
import {asset} from './assets.js';
import {idFrom, jobRecord, outputTail} from './output-tail.js';
import {EndedJobs, type EndedJob} from './timeline.js';
import {heartbeatAges} from './heartbeats.js';

// The newest failed jobs the page lists.
export const FAILED_SHOWN = 100;
// The open jobs whose reasons for waiting the page shows.
export const HELD_SHOWN = 50;

export interface DashboardSource {
  // What `fjd status --json` prints.
  status(): unknown;
  // What the page polls: the same without the ended jobs one by one (their counts stay), and
  // why the first `heldShown` open jobs wait.
  overview(heldShown: number): {status: unknown; held: unknown[]};
  // The lines of the report of the home as CSV, each ending in its newline.
  reportCsv(): Iterable<string>;
}

export interface DashboardOptions {
  paths: HomePaths;
  source: DashboardSource;
  bind: string;
  port: number;
}

export interface Dashboard {
  // The address to open, with the token when one is needed.
  url: string;
  port: number;
  // null when bound to loopback.
  token: string | null;
  close(): Promise<void>;
}

type Reply = {status: number; type: string; body: string | Buffer} | {stream: Iterable<string>; type: string};

const text = (status: number, body: string): Reply => ({status, type: 'text/plain; charset=utf-8', body});
const json = (value: unknown): Reply => ({status: 200, type: 'application/json', body: JSON.stringify(value)});
const NOT_FOUND = text(404, 'not found\n');

// The newest failed jobs, with the reason of each from its record.
function failedJobs(paths: HomePaths, ended: readonly EndedJob[]): unknown[] {
  const shown: unknown[] = [];
  for (let i = ended.length - 1; i >= 0 && shown.length < FAILED_SHOWN; i--) {
    const job = ended[i];
    if (job === undefined || !job.failed) continue;
    const record = readRecord(paths, job.id);
    shown.push({
      id: job.id,
      name: record?.name ?? job.id,
      reason: record?.reason ?? null,
      host: record?.host ?? null,
      endedAt: new Date(job.endedMs).toISOString(),
    });
  }
  return shown;
}

function route(options: DashboardOptions, ended: EndedJobs, pathname: string, query: URLSearchParams): Reply {
  const {paths, source} = options;
  if (pathname === '/' || pathname === '/index.html') pathname = '/assets/index.html';
  if (pathname.startsWith('/assets/')) {
    const found = asset(pathname.slice('/assets/'.length));
    return found === undefined ? NOT_FOUND : {status: 200, type: found.type, body: found.body};
  }
  if (pathname === '/api/status') return json(source.status());
  if (pathname === '/api/overview') {
    const {ended: all, perMinute} = ended.refresh();
    const now = Date.now();
    return json({
      now: new Date(now).toISOString(),
      heartbeatAgeMs: heartbeatAges(paths, now),
      ...source.overview(HELD_SHOWN),
      failed: failedJobs(paths, all),
      perMinute,
    });
  }
  if (pathname === '/report.csv') return {stream: source.reportCsv(), type: 'text/csv; charset=utf-8'};
  const job = /^\/api\/jobs\/([^/]+)(?:\/(stdout|stderr))?$/.exec(pathname);
  if (job === null) return NOT_FOUND;
  const id = idFrom(job[1] ?? '');
  const record = id === undefined ? undefined : jobRecord(paths, id);
  if (record === undefined) return NOT_FOUND;
  const stream = job[2] as 'stdout' | 'stderr' | undefined;
  if (stream === undefined) return json(record);
  const attempt = query.get('attempt');
  if (attempt !== null && !/^[1-9]\d{0,9}$/.test(attempt)) return NOT_FOUND;
  const tail = outputTail(paths, record, stream, attempt === null ? undefined : Number(attempt));
  return tail === undefined ? NOT_FOUND : text(200, tail);
}

// Writes the lines of `stream` as the response takes them (waiting while its buffer is full).
async function stream(response: http.ServerResponse, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    if (response.destroyed) return;
    if (!response.write(line)) await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
  }
  response.end();
}

function send(response: http.ServerResponse, reply: Reply, head: boolean): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:");
  if ('stream' in reply) {
    response.writeHead(200, {'Content-Type': reply.type});
    if (head) response.end();
    else
      stream(response, reply.stream).catch((error: unknown) =>
        response.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    return;
  }
  response.writeHead(reply.status, {'Content-Type': reply.type, 'Content-Length': Buffer.byteLength(reply.body)});
  response.end(head ? undefined : reply.body);
}

function handle(
  options: DashboardOptions,
  ended: EndedJobs,
  token: string | null,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): void {
  const raw = request.url ?? '/';
  const mark = raw.indexOf('?');
  const pathname = mark === -1 ? raw : raw.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? '' : raw.slice(mark + 1));
  const access = checkAccess(request, query, token);
  if (!access.ok) return send(response, text(access.status, access.message), false);
  if (access.setCookie !== null) response.setHeader('Set-Cookie', access.setCookie);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, text(405, 'this dashboard is read-only: it answers GET and HEAD alone\n'), false);
  }
  let reply: Reply;
  try {
    reply = route(options, ended, pathname, query);
  } catch (error) {
    reply = text(
      500,
      `fjd dashboard could not read the home: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  send(response, reply, request.method === 'HEAD');
}

// Starts the server; resolves once it listens.
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = isLoopback(options.bind) ? null : newToken();
  const ended = new EndedJobs(options.paths);
  // Each ended job is stat'ed once: before the first page rather than during it.
  ended.refresh();
  const server = http.createServer((request, response) => handle(options, ended, token, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const {port} = server.address() as AddressInfo;
  const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind;
  const url = `http://${host}:${port}/${token === null ? '' : `?token=${token}`}`;
  return {
    url,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
