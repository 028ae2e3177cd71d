// `fjd dashboard` started on a test home, and raw HTTP requests to it: the path is sent as
// given (no URL normalisation, so `..` and `%2F` reach the server as a user could send them).
import http from 'node:http';
import type {Started, TestHome} from './home.js';
import {waitUntil} from './wait.js';

export interface RunningDashboard {
  started: Started;
  // As printed, with the token in the query when there is one.
  url: string;
  port: number;
  token: string | null;
  // Ends it with Ctrl-C's signal; resolves to its exit code.
  stop(): Promise<number>;
}

export async function startDashboard(home: TestHome, args: string[] = []): Promise<RunningDashboard> {
  const started = home.start('fjd', ['dashboard', '--home', home.dir, '--port', '0', ...args]);
  await waitUntil(() => /Ctrl-C stops it/.test(started.output()), 20_000, 'fjd dashboard to listen');
  const url = /(http:\/\/\S+)/.exec(started.output())?.[1] ?? '';
  const port = Number(/:(\d+)\//.exec(url)?.[1]);
  const token = /[?&]token=([^&\s]+)/.exec(url)?.[1] ?? null;
  return {
    started,
    url,
    port,
    token,
    stop: async () => {
      started.signal('SIGINT');
      return (await started.result).exitCode;
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  port: number,
  path: string,
  options: {method?: string; headers?: Record<string, string>} = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers},
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body}));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function getJson(port: number, path: string): Promise<unknown> {
  const answer = await request(port, path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as unknown;
}
