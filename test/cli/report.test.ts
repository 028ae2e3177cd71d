// `fjd report` on a real home, as a user runs it: jobs submitted from a CSV that finished, one
// that failed and was retried, one retried by `retries`, a name queued twice, a job still
// queued and a record spoilt by hand; each format, the filters, and a joblog that GNU
// parallel itself reads.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';

const hasParallel = spawnSync('parallel', ['--version'], {stdio: 'ignore'}).status === 0;

// Parses CSV as RFC 4180 has it (quoted fields may hold commas, quotes and newlines).
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

// The rows of a CSV as objects by heading.
function csvObjects(text: string): Record<string, string>[] {
  const [headings = [], ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(headings.map((h, i) => [h, r[i] ?? ''])));
}

// A home where jobs finished, failed, were retried and queued twice; one job waits, and one
// record is spoilt. Returns the home and the host the jobs ran on.
async function endedHome(): Promise<{home: TestHome; host: string}> {
  const home = makeHome('report');
  const csv = path.join(home.dir, '..', `${path.basename(home.dir)}-sweep.csv`);
  fs.writeFileSync(csv, 'alpha,label\n0.1,plain\n0.2,"a, ""b"""\n');
  const submitted = await home.run('fjd', [
    'submit',
    '--exe',
    `${fixture('fail.sh')} 0`,
    '--params-file',
    csv,
    '--name',
    'sweep',
  ]);
  fs.rmSync(csv);
  expect(submitted.exitCode).toBe(0);
  home.job('broken', `[control]\nexecutable = ${fixture('fail.sh')} 4\n\n[params]\nalpha = 0.3\n`);
  home.job('twice', `[control]\nexecutable = ${fixture('flaky.sh')} 2\nretries = 1\n`);
  home.job('again', `[control]\nexecutable = ${fixture('fail.sh')} 0\n\n[params]\nalpha = 1\n`);
  home.job('updated', `[control]\nexecutable = ${fixture('fail.sh')} 0\n\n[params]\nalpha = 1\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  // The failure retried (it fails again), and `again` queued once more (it finishes again).
  expect((await home.run('fjd', ['retry', 'broken'])).exitCode).toBe(0);
  home.job('again', `[control]\nexecutable = ${fixture('fail.sh')} 0\n\n[params]\nalpha = 2\n`);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  expect(home.ls('.fjd/records')).toContain('again~2.json');
  const host = String(home.record('sweep-1').host);
  // A job never handed out, one queued again under the name of one that finished, and a record
  // spoilt by hand.
  home.job('updated', `[control]\nexecutable = ${fixture('fail.sh')} 0\n\n[params]\nalpha = 2\n`);
  home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n\n[params]\nalpha = 9\n`);
  fs.writeFileSync(path.join(home.dir, '.fjd', 'records', 'sweep-2.json'), '{"fjd": 1, "id": "swe');
  return {home, host};
}

// (One home for every check: each test's home is removed after it, and this one takes a while to build.)
it('fjd report on a home where jobs finished, failed and were retried: the rows, each format, the filters, a joblog parallel reads', async () => {
  const {home, host} = await endedHome();
  {
    // gives a row per job, the newest of each name, with its record and its [params] as columns; a spoilt record is a row and a warning
    const result = await home.run('fjd', ['report', '--format', 'csv']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\r\n')[0]).toBe(
      'id,name,state,attempts,exit,signal,reason,host,started,seconds,alpha,label',
    );
    const rows = csvObjects(result.stdout);
    expect(rows.map((r) => r.id)).toEqual(['again~2', 'broken', 'sweep-1', 'sweep-2', 'twice', '', '']);
    const by = Object.fromEntries(rows.map((r) => [r.id === '' ? r.name : r.id, r]));
    expect(by['sweep-1']).toMatchObject({
      state: 'finished',
      attempts: '1',
      exit: '0',
      reason: '',
      host,
      alpha: '0.1',
      label: 'plain',
    });
    expect(by['sweep-1']?.started).toBe(String(home.record('sweep-1').startedAt));
    expect(Number(by['sweep-1']?.seconds)).toBeCloseTo(Number(home.record('sweep-1').durationMs) / 1000, 3);
    expect(by.broken).toMatchObject({state: 'failed', attempts: '2', exit: '4', reason: 'exit code 4', alpha: '0.3'});
    expect(by.twice).toMatchObject({state: 'finished', attempts: '2', exit: '0', alpha: ''});
    expect(by['again~2']).toMatchObject({name: 'again', state: 'finished', alpha: '2'});
    expect(by.waiting).toMatchObject({id: '', state: 'open', attempts: '0', exit: '', alpha: '9'});
    // The newest job of the name is the one queued again, not yet taken.
    expect(by.updated).toMatchObject({id: '', state: 'open', attempts: '0', alpha: '2'});
    // What the directories tell of the job whose record is spoilt: it is in done/, with its params.
    expect(by['sweep-2']).toMatchObject({name: 'sweep-2', state: 'finished', exit: '', host: '', label: 'a, "b"'});
    expect(result.stderr).toBe(
      `fjd: warning: ${path.join(home.dir, '.fjd', 'records', 'sweep-2.json')}: it is not valid JSON; its row shows only what the directories tell\n`,
    );
  }

  {
    // with --all-attempts, a row per attempt of every job, the older job of a name too
    const result = await home.run('fjd', ['report', '--all-attempts', '--format', 'csv']);
    expect(result.exitCode).toBe(0);
    const rows = csvObjects(result.stdout).map((r) => [r.id, r.attempt, r.attempts, r.state, r.exit, r.alpha]);
    expect(rows).toEqual([
      ['again', '1', '1', 'finished', '0', '1'],
      ['again~2', '1', '1', 'finished', '0', '2'],
      ['broken', '1', '2', 'failed', '4', '0.3'],
      ['broken', '2', '2', 'failed', '4', '0.3'],
      ['sweep-1', '1', '1', 'finished', '0', '0.1'],
      ['sweep-2', '', '0', 'finished', '', '0.2'],
      ['twice', '1', '2', 'failed', '1', ''],
      ['twice', '2', '2', 'finished', '0', ''],
      ['updated', '1', '1', 'finished', '0', '1'],
      ['', '', '0', 'open', '', '2'],
      ['', '', '0', 'open', '', '9'],
    ]);
  }

  {
    // --failed and --state (repeated or a comma list) keep only the rows in those states; an unknown state is a usage error
    const ids = async (args: string[]) => {
      const result = await home.run('fjd', ['report', '--format', 'tsv', ...args]);
      expect(result.exitCode).toBe(0);
      return result.stdout
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split('\t')[0]);
    };
    expect(await ids(['--failed'])).toEqual(['broken']);
    expect(await ids(['--state', 'failed,open'])).toEqual(['broken', '', '']);
    expect(await ids(['--state', 'failed', '--state', 'open'])).toEqual(['broken', '', '']);
    expect(await ids(['--all-attempts', '--failed'])).toEqual(['broken', 'broken', 'twice']);
    const bad = await home.run('fjd', ['report', '--state', 'done']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"done" is not a state; use open, assigned, running, finished, failed');
    expect((await home.run('fjd', ['report', '--format', 'xml'])).exitCode).toBe(2);
  }

  {
    // writes a table, TSV and JSON lines of the same rows
    const table = await home.run('fjd', ['report']);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.split('\n').slice(0, -1);
    expect(lines[0]).toMatch(
      /^id {7}name {5}state {5}attempts {2}exit {2}signal {2}reason {7}host +started {19}seconds {2}alpha {2}label$/,
    );
    expect(lines.find((l) => l.startsWith('broken '))).toMatch(
      /^broken +broken +failed +2 +4 +exit code 4 +\S+ +\S+Z +\d+\.\d{3} +0\.3$/,
    );
    expect(lines).toHaveLength(8);

    const tsv = (await home.run('fjd', ['report', '--format', 'tsv'])).stdout.split('\n').slice(0, -1);
    expect(tsv.map((l) => l.split('\t').length)).toEqual(Array(8).fill(12));
    expect(
      tsv
        .find((l) => l.startsWith('sweep-2\t'))
        ?.split('\t')
        .at(-1),
    ).toBe('a, "b"');

    const json = (await home.run('fjd', ['report', '--format', 'json'])).stdout.split('\n').slice(0, -1);
    const objects = json.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => o.id)).toEqual(['again~2', 'broken', 'sweep-1', 'sweep-2', 'twice', null, null]);
    expect(objects[1]).toMatchObject({
      state: 'failed',
      attempts: 2,
      exitCode: 4,
      file: 'failed/broken',
      params: {alpha: '0.3'},
    });
  }

  {
    // --format joblog is the format of GNU parallel --joblog, and parallel --resume-failed reads it
    const result = await home.run('fjd', ['report', '--all-attempts', '--format', 'joblog']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n').slice(0, -1);
    expect(lines[0]).toBe('Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand');
    // The ended attempts, the open job not among them; the job of the spoilt record (6) is in
    // done/, with nothing else known of it.
    const fields = lines.slice(1).map((l) => l.split('\t'));
    expect(fields[5]).toEqual(['6', '-', '0.000', '     0.000', '0', '0', '0', '0', '']);
    expect(fields.map((f) => [f[0], f[6]])).toEqual([
      ['1', '0'],
      ['2', '0'],
      ['3', '4'],
      ['4', '4'],
      ['5', '0'],
      ['6', '0'],
      ['7', '1'],
      ['8', '0'],
      ['9', '0'],
    ]);
    for (const f of fields.filter((f) => f[0] !== '6')) {
      expect(f).toHaveLength(9);
      expect(f[1]).toBe(host);
      expect(f[2]).toMatch(/^\d{10}\.\d{3}$/);
      expect(f[3]).toMatch(/^ *\d+\.\d{3}$/);
      expect(f[3]).toHaveLength(10);
      expect(f[8]).toContain(fixture(''));
    }
    expect(Number(fields[2]?.[2])).toBeCloseTo(
      Date.parse(String((home.record('broken').attempts as {startedAt: string}[])[0]?.startedAt)) / 1000,
      3,
    );
  }

  if (!hasParallel) console.log('skipped: GNU parallel is not installed, so no joblog of its own to compare with');
  else {
    // GNU parallel writes the same header and columns, and reruns from an fjd joblog only what failed
    const dir = fs.mkdtempSync(path.join(home.dir, '..', 'joblog-'));
    try {
      const real = path.join(dir, 'real');
      expect(spawnSync('parallel', ['--joblog', real, 'true', ':::', 'a', 'b'], {stdio: 'ignore'}).status).toBe(0);
      const theirs = fs.readFileSync(real, 'utf8').split('\n').slice(0, -1);
      const joblog = path.join(dir, 'ours');
      const report = await home.run('fjd', ['report', '--all-attempts', '--format', 'joblog']);
      expect(report.exitCode).toBe(0);
      fs.writeFileSync(joblog, report.stdout);
      const mine = report.stdout.split('\n').slice(0, -1);
      expect(mine[0]).toBe(theirs[0]);
      expect(new Set(mine.map((l) => l.split('\t').length))).toEqual(new Set(theirs.map((l) => l.split('\t').length)));
      // Seq 3, 4 and 7 failed: parallel runs those inputs again, and only those (and 10, new).
      const inputs = Array.from({length: 10}, (_, i) => String(i + 1));
      const rerun = spawnSync('parallel', ['--resume-failed', '--joblog', joblog, '-k', 'echo', ':::', ...inputs], {
        encoding: 'utf8',
      });
      expect(rerun.stderr).toBe('');
      expect(rerun.stdout).toBe('3\n4\n7\n10\n');
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  }

  {
    // --help shows examples
    const help = await home.run('fjd', ['report', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Examples:\n  fjd report\n');
    expect(help.stdout).toContain('--format <format>');
  }
});
