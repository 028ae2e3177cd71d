// `fjd dashboard` on a real home, without a browser: its JSON is `fjd status --json`'s, a job is
// read by its id alone (crafted paths and symbolic links get 404), nothing it answers changes
// the home, and bound beyond loopback it wants its token.
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {getJson, request, startDashboard, type RunningDashboard} from '../helpers/dashboard.js';

// A home where `ok` finished and `bad` failed (exit code 4), its worker still hired.
async function endedHome(): Promise<TestHome> {
  const home = makeHome('dashboard');
  home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  return home;
}

// Every file and directory under `dir` with its size and modification time.
function tree(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort()) {
    const stat = fs.lstatSync(path.join(dir, rel));
    found[rel] = `${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`;
  }
  return found;
}

describe('fjd dashboard', () => {
  let home: TestHome;
  let dashboard: RunningDashboard;

  beforeEach(async () => {
    home = await endedHome();
    dashboard = await startDashboard(home);
  });

  afterEach(async () => {
    expect(await dashboard.stop()).toBe(0);
  });

  it('serves on 127.0.0.1 without a token, and its JSON is what fjd status --json prints', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(dashboard.started.output()).toContain('Bound to loopback');
    const [served, printed] = await Promise.all([
      getJson(dashboard.port, '/api/status'),
      home.run('fjd', ['status', '--json']),
    ]);
    expect(served).toEqual(JSON.parse(printed.stdout));

    const overview = (await getJson(dashboard.port, '/api/overview')) as {
      status: {counts: unknown; workers: {id: string}[]; jobs: unknown[]};
      failed: {id: string; reason: string | null; host: string | null}[];
      perMinute: {finished: number; failed: number}[];
      heartbeatAgeMs: Record<string, number>;
    };
    const status = JSON.parse(printed.stdout) as {counts: unknown; workers: {id: string}[]};
    expect(overview.status.counts).toEqual(status.counts);
    expect(overview.status.jobs).toEqual([]);
    expect(overview.failed).toEqual([
      expect.objectContaining({id: 'bad', reason: 'exit code 4', host: expect.any(String)}),
    ]);
    const total = overview.perMinute.reduce(
      (sum, p) => ({finished: sum.finished + p.finished, failed: sum.failed + p.failed}),
      {finished: 0, failed: 0},
    );
    expect(total).toEqual({finished: 1, failed: 1});
    const worker = status.workers[0]?.id ?? '';
    expect(overview.heartbeatAgeMs[worker]).toBeGreaterThanOrEqual(0);

    expect(await getJson(dashboard.port, '/api/jobs/bad')).toEqual(home.record('bad'));
    const stderr = await request(dashboard.port, '/api/jobs/bad/stderr');
    expect(stderr).toMatchObject({status: 200, body: 'trouble in bad\n'});
    expect((await request(dashboard.port, '/api/jobs/ok/stdout?attempt=1')).body).toBe('out of ok\n');
    const csv = await request(dashboard.port, '/report.csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toMatch(/^bad,.*exit code 4/m);

    const page = await request(dashboard.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/assets/dashboard.js"');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect((await request(dashboard.port, '/assets/dashboard.js')).status).toBe(200);
  });

  const crafted = [
    '/api/jobs/../records/bad.json',
    '/api/jobs/..%2Frecords%2Fbad.json',
    '/api/jobs/%2e%2e/stderr',
    '/api/jobs/bad%2Fstderr',
    '/api/jobs/bad%2F..%2F..%2Fok/stdout',
    '/api/jobs/%2Fetc%2Fpasswd',
    '/api/jobs/.hidden/stderr',
    '/api/jobs/nosuch/stderr',
    '/api/jobs/bad/stderr?attempt=..%2F1',
    '/api/jobs/bad/record',
    '/assets/../package.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%2e%2e/index.html',
    '/done/ok',
    '/.fjd/output/bad.err',
  ];

  it(`each of ${crafted.length} crafted paths ('..', encoded slashes, no such job) gets 404`, async () => {
    for (const given of crafted) {
      const answer = await request(dashboard.port, given);
      expect(answer.status, given).toBe(404);
      expect(answer.body, given).toBe('not found\n');
    }
  });

  it('a symbolic link in .fjd/output/ is not followed: 404', async () => {
    const secret = path.join(home.dir, 'secret');
    fs.writeFileSync(secret, 'the secret\n');
    const err = path.join(home.dir, '.fjd', 'output', 'bad.err');
    fs.rmSync(err);
    fs.symlinkSync(secret, err);
    const answer = await request(dashboard.port, '/api/jobs/bad/stderr');
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('secret');
    // A link in place of the stdout of a job's record is refused the same way.
    const out = path.join(home.dir, '.fjd', 'output', 'ok.out');
    fs.rmSync(out);
    fs.symlinkSync('/etc/passwd', out);
    expect((await request(dashboard.port, '/api/jobs/ok/stdout')).status).toBe(404);
  });

  it('an id that would step out of .fjd/records/ to a record-like file gets 404', async () => {
    // .fjd/records/../../evil.json is this file: were the id a path, it would be read.
    const evil = {...home.record('bad'), id: '../../evil', name: 'evil'};
    fs.writeFileSync(path.join(home.dir, 'evil.json'), JSON.stringify(evil));
    for (const given of ['/api/jobs/..%2F..%2Fevil', '/api/jobs/..%2F..%2Fevil/stderr'])
      expect((await request(dashboard.port, given)).status, given).toBe(404);
  });

  it('is read-only: other methods get 405, and answering every endpoint changes nothing in the home', async () => {
    const before = tree(home.dir);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await request(dashboard.port, '/api/jobs/bad', {method});
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }
    for (const endpoint of [
      '/',
      '/api/status',
      '/api/overview',
      '/api/jobs/bad',
      '/api/jobs/bad/stdout',
      '/report.csv',
    ])
      expect((await request(dashboard.port, endpoint)).status, endpoint).toBe(200);
    expect((await request(dashboard.port, '/api/overview', {method: 'HEAD'})).body).toBe('');
    expect(tree(home.dir)).toEqual(before);
  });

  it('bound to loopback, it answers only to a loopback name in Host', async () => {
    const answer = await request(dashboard.port, '/api/status', {
      headers: {host: `attacker.example:${dashboard.port}`},
    });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain(home.dir);
    expect((await request(dashboard.port, '/', {headers: {host: `localhost:${dashboard.port}`}})).status).toBe(200);
  });
});

describe('fjd dashboard bound beyond loopback', () => {
  it('wants the token it printed: in the query once (then a cookie), or in a header', async () => {
    const home = makeHome('dashboard-token');
    const dashboard = await startDashboard(home, ['--bind', '0.0.0.0']);
    try {
      expect(dashboard.token).toMatch(/^[\w-]{20,}$/);
      expect(dashboard.started.output()).toContain('needs its token');
      const token = dashboard.token ?? '';
      for (const endpoint of ['/', '/api/status', '/api/overview', '/report.csv', '/assets/dashboard.js']) {
        const answer = await request(dashboard.port, endpoint);
        expect(answer.status, endpoint).toBe(401);
        expect(answer.body).toContain('needs its token');
      }
      expect((await request(dashboard.port, '/api/status?token=wrong')).status).toBe(401);
      expect((await request(dashboard.port, '/', {headers: {cookie: 'fjd_dashboard=wrong'}})).status).toBe(401);

      const first = await request(dashboard.port, `/?token=${token}`);
      expect(first.status).toBe(200);
      const cookie = String(first.headers['set-cookie']?.[0] ?? '');
      expect(cookie).toMatch(/HttpOnly/);
      const pair = cookie.split(';')[0] ?? '';
      expect((await request(dashboard.port, '/api/status', {headers: {cookie: pair}})).status).toBe(200);
      expect((await request(dashboard.port, '/api/status', {headers: {'x-fjd-token': token}})).status).toBe(200);
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
  });
});

describe('fjd dashboard cannot listen', () => {
  it('on a port taken: exit 3, saying which and what to do', async () => {
    const home = makeHome('dashboard-taken');
    const first = await startDashboard(home);
    try {
      const second = await home.run('fjd', ['dashboard', '--home', home.dir, '--port', String(first.port)]);
      expect(second.exitCode).toBe(3);
      expect(second.stderr).toContain(`cannot listen on 127.0.0.1 port ${first.port} (EADDRINUSE)`);
      expect(second.stderr).toContain('--port 0');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const bad = await home.run('fjd', ['dashboard', '--home', home.dir, '--port', '70000']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('a port is a whole number');
  });
});

describe('fjd dashboard out of its heap', () => {
  it('stops with exit 3, saying to give it more', async () => {
    const home = makeHome('dashboard-heap');
    const result = await home.run('fjd', ['dashboard', '--home', home.dir, '--port', '0', '--heap-mb', '2']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('fjd dashboard ran out of its 2 MB of heap on this home');
    expect(result.stderr).toContain('give it more with --heap-mb 4');
  });
});
