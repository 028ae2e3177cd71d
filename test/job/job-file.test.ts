import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CONTROL_KEYS, parseIni, parseJobFile, parseJobText} from '../../src/job/job-file.js';
import {REPO} from '../helpers/paths.js';
import {codeOf, errorOf} from '../helpers/errors.js';

describe('job files in the configparser dialect', () => {
  it('reads the job file of the original fjd README unchanged', () => {
    const job = parseJobFile(fs.readFileSync(path.join(REPO, 'test/fixtures/seed-job0.ini')));
    expect(job.control.executable).toBe('python test/ajob.py');
    expect(job.control.logfile).toBe('data/job0.dat');
    expect(job.document.sections.get('params')?.get('param1')).toBe('value0');
  });

  it('reads [fjd] as [control], with CRLF line endings and a byte-order mark', () => {
    const job = parseJobFile(fs.readFileSync(path.join(REPO, 'test/fixtures/later-fjd-crlf-bom.ini')));
    expect(job.control.section).toBe('fjd');
    expect(job.control.executable).toBe('python3 sim.py');
    expect(job.document.sections.get('params')?.get('alpha')).toBe('0.1');
  });

  it.each([
    ['key: value', 'executable: python x.py'],
    ['key:value', 'executable:python x.py'],
    ['key = value', 'executable = python x.py'],
    ['key=value', 'executable=python x.py'],
    ['spaces around', '   executable   :   python x.py   '],
  ])('reads the %s form', (_form, line) => {
    expect(parseJobText(`[control]\n${line}\n`).control.executable).toBe('python x.py');
  });

  it('splits a line at the first = or :, whichever comes first', () => {
    const doc = parseIni('[a]\nurl: http://x/y=1\nexpr = a:b\n');
    expect(doc.sections.get('a')?.get('url')).toBe('http://x/y=1');
    expect(doc.sections.get('a')?.get('expr')).toBe('a:b');
  });

  it('skips # and ; comments and blank lines, and keeps # inside values', () => {
    const job = parseJobText('# top\n; also\n\n[control]\n  # indented comment\nexecutable = run --tag=#1\n\n');
    expect(job.control.executable).toBe('run --tag=#1');
  });

  it('lower-cases keys as configparser does, and keeps section names as written', () => {
    const doc = parseIni('[Params]\nAlpha = 1\n');
    expect(doc.sections.get('Params')?.get('alpha')).toBe('1');
  });

  it('joins indented continuation lines into one value', () => {
    const doc = parseIni('[params]\nlist = a\n  b\n\n  c\nnext = 2\n');
    expect(doc.sections.get('params')?.get('list')).toBe('a\nb\n\nc');
    expect(doc.sections.get('params')?.get('next')).toBe('2');
  });

  it('applies [DEFAULT] and %(name)s interpolation to the control section', () => {
    const job = parseJobText('[DEFAULT]\nbase = /opt/sim\n[control]\nexecutable = %(base)s/run --pct=50%%\n');
    expect(job.control.executable).toBe('/opt/sim/run --pct=50%');
  });

  it.each([
    ['an empty file', '', 'JOB_EMPTY'],
    ['only white space', ' \n\t\n', 'JOB_EMPTY'],
    ['no [control] section', '[params]\na = 1\n', 'JOB_NO_CONTROL'],
    ['both [control] and [fjd]', '[control]\nexecutable = a\n[fjd]\nexecutable = b\n', 'JOB_NO_CONTROL'],
    ['no executable', '[control]\nlogfile = x\n', 'JOB_NO_EXECUTABLE'],
    ['an empty executable', '[control]\nexecutable =\n', 'JOB_NO_EXECUTABLE'],
    ['a key before any section', 'executable = x\n[control]\n', 'JOB_SYNTAX'],
    ['a line that is no key', '[control]\nexecutable = x\njust words\n', 'JOB_SYNTAX'],
    ['a repeated key', '[control]\nexecutable = x\nexecutable = y\n', 'JOB_SYNTAX'],
    ['a repeated section', '[control]\nexecutable = x\n[control]\nlogfile = y\n', 'JOB_SYNTAX'],
    ['an unknown interpolation', '[control]\nexecutable = %(nope)s\n', 'JOB_BAD_VALUE'],
  ])('refuses %s with code %s', (_what, text, code) => {
    expect(codeOf(() => parseJobFile(Buffer.from(text)))).toBe(code);
  });

  it.each([
    ['yes', true],
    ['No', false],
    ['true', true],
    ['FALSE', false],
    ['on', true],
    ['off', false],
    ['1', true],
    ['0', false],
  ])('reads pass_job_file = %s as %s, as configparser reads booleans', (text, expected) => {
    expect(parseJobText(`[control]\nexecutable = x\npass_job_file = ${text}\n`).control.passJobFile).toBe(expected);
  });

  it('passes the job file by default, and refuses a pass_job_file that is no boolean', () => {
    expect(parseJobText('[control]\nexecutable = x\n').control.passJobFile).toBe(true);
    expect(codeOf(() => parseJobText('[control]\nexecutable = x\npass_job_file = maybe\n'))).toBe('JOB_BAD_VALUE');
    expect(() => parseJobText('[control]\nexecutable = x\npass_job_file = maybe\n')).toThrow(
      /pass_job_file = maybe is not a boolean/,
    );
  });

  it('refuses binary garbage', () => {
    expect(codeOf(() => parseJobFile(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3])))).toBe('JOB_BINARY');
    expect(codeOf(() => parseJobFile(Buffer.from([0xff, 0xfe, 0xfd, 0x41])))).toBe('JOB_BINARY');
  });

  it('says on which line a syntax error is', () => {
    expect(() => parseJobText('[control]\nexecutable = x\n\noops\n')).toThrow(/line 4/);
  });
});

describe('the keys of [control]', () => {
  it.each([
    ['timout = 1s', 'unknown key "timout" in [control] (did you mean "timeout"?)'],
    ['retires = 2', 'unknown key "retires" in [control] (did you mean "retries"?)'],
    ['Max_Attempt = 2', 'unknown key "max_attempt" in [control] (did you mean "max_attempts"?)'],
    ['passjobfile = no', 'unknown key "passjobfile" in [control] (did you mean "pass_job_file"?)'],
    ['colour = red', 'unknown key "colour" in [control]'],
  ])('refuses %j, naming the key and the one it probably meant', (line, message) => {
    const error = errorOf(() => parseJobText(`[control]\nexecutable = x\n${line}\n`));
    expect(error.code).toBe('JOB_UNKNOWN_KEY');
    expect(error.message).toBe(message);
    expect(error.hint).toMatch(
      /^\[control\] holds only executable, logfile, .*; the job's own settings belong in a section of their own, such as \[params\]\.$/,
    );
  });

  it('names every unknown key of [fjd] too, and refuses them before a missing executable', () => {
    expect(errorOf(() => parseJobText('[fjd]\nexecutabel = x\ngrup = gpu\n')).message).toBe(
      'unknown key "executabel" in [fjd] (did you mean "executable"?); unknown key "grup" in [fjd] (did you mean "group"?)',
    );
  });

  it('accepts every key it knows, keys of [DEFAULT], and any key in the other sections', () => {
    const keys = CONTROL_KEYS.map(
      (key) =>
        `${key} = ${key === 'executable' ? 'x' : key === 'pass_job_file' ? 'no' : /retries|max_attempts|priority|cpus|gpus/.test(key) ? '1' : /timeout|retry_delay/.test(key) ? '1s' : key === 'memory' ? '1G' : key === 'retry_on' ? '3' : key === 'no_retry_on' ? '2' : 'a'}`,
    );
    const job = parseJobText(
      `[DEFAULT]\nbase = /data\n[control]\n${keys.join('\n')}\n[params]\ntimout = 3\nanything-at_all = 4\n`,
    );
    expect(job.control).toMatchObject({
      executable: 'x',
      timeoutMs: 1000,
      retries: 1,
      retryOn: [3],
      noRetryOn: [2],
      group: 'a',
      after: ['a'],
      afterAny: [],
      request: {cpus: 1, memoryBytes: 1024 ** 3, gpus: 1},
    });
    expect(job.document.sections.get('params')?.get('anything-at_all')).toBe('4');
  });

  it('knows exactly the keys the README documents under Job files', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = /^## Job files$([\s\S]*?)^### /m.exec(readme)?.[1] ?? '';
    const list = /^The keys of `\[control\]`.*\n\n((?:[- ] .*\n)+)/m.exec(section)?.[1] ?? '';
    const documented = [...list.matchAll(/^- `(\w+)`/gm)].map((match) => match[1]);
    expect(documented).toEqual([...CONTROL_KEYS]);
  });
});
