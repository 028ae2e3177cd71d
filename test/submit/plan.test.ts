import {describe, expect, it} from 'vitest';
import {parseJobText} from '../../src/job/job-file.js';
import {jobText, type JobSpec} from '../../src/submit/job-text.js';
import {defaultStem, planJobs, parameterItems, type SubmitRequest} from '../../src/submit/plan.js';
import {codeOf} from '../helpers/errors.js';

const NOW = new Date(2026, 10, 22, 14, 15, 2);

function request(extra: Partial<SubmitRequest>): SubmitRequest {
  return {
    exe: 'python sim.py',
    workdir: '/data',
    name: undefined,
    logfile: undefined,
    control: [],
    env: [],
    params: [],
    csv: undefined,
    parameters: undefined,
    repeat: undefined,
    now: NOW,
    ...extra,
  };
}

const spec: JobSpec = {
  name: 'j',
  executable: 'run',
  workdir: '/w',
  logfile: undefined,
  passJobFile: true,
  control: [],
  env: [],
  params: undefined,
  origin: 'test',
};

describe('job files written by fjd submit', () => {
  it("writes [control] and [params] that the project's parser reads back, % as %%", () => {
    const text = jobText(
      {
        ...spec,
        executable: 'run --pct=50%',
        logfile: 'out.log',
        params: [
          ['Alpha', '10%'],
          ['seed', '3'],
        ],
      },
      NOW,
    );
    expect(text).toMatch(/^# Made by fjd submit on /);
    expect(text).toContain('executable = run --pct=50%%\n');
    const {control, document} = parseJobText(text);
    expect(control.executable).toBe('run --pct=50%');
    expect(control.workdir).toBe('/w');
    expect(control.logfile).toBe('out.log');
    expect(control.passJobFile).toBe(true);
    expect([...(document.sections.get('params') ?? [])]).toEqual([
      ['alpha', '10%%'],
      ['seed', '3'],
    ]);
  });

  it('writes pass_job_file = no for a command line that runs as given', () => {
    expect(parseJobText(jobText({...spec, passJobFile: false}, NOW)).control.passJobFile).toBe(false);
  });

  it.each([
    ['a value with a line break', {params: [['a', 'x\ny']]}, /test: the value of a holds a line break/],
    ['an executable with a line break', {executable: 'a\nb'}, /the executable holds a line break/],
    ['a key with =', {params: [['a=b', '1']]}, /the key "a=b" cannot be written/],
    ['a key with :', {params: [['a:b', '1']]}, /the key "a:b" cannot be written/],
    ['a key starting with [', {params: [['[x', '1']]}, /the key "\[x" cannot be written/],
    ['a key starting with #', {params: [['#x', '1']]}, /the key "#x" cannot be written/],
    ['an empty key', {params: [['', '1']]}, /a key is empty/],
    [
      'a key given twice',
      {
        params: [
          ['a', '1'],
          ['A', '2'],
        ],
      },
      /the key "A" is given twice/,
    ],
  ] as [string, Partial<JobSpec>, RegExp][])('refuses %s, naming where it came from', (_what, extra, message) => {
    expect(() => jobText({...spec, ...extra}, NOW)).toThrow(message);
    expect(codeOf(() => jobText({...spec, ...extra}, NOW))).toBe('BAD_PARAMETERS');
  });
});

describe('which jobs a submit makes', () => {
  it('names a job after the program (the script, after an interpreter) and the time', () => {
    expect(defaultStem('python sim.py', NOW)).toBe('sim-20261122-141502');
    expect(defaultStem('/usr/bin/python3 -u ../bin/fit.py --x', NOW)).toBe('fit-20261122-141502');
    expect(defaultStem('touch bla$1.txt', NOW)).toBe('touch-20261122-141502');
    expect(defaultStem('cd data; gzip x', NOW)).toBe('cd-20261122-141502');
  });

  it('makes one job with [params] from --param, and pass_job_file left at its default', () => {
    const [job, more] = planJobs(request({params: [['alpha', '0.1']], name: 'one'}));
    expect(more).toBeUndefined();
    expect(job).toMatchObject({
      name: 'one',
      executable: 'python sim.py',
      passJobFile: true,
      params: [['alpha', '0.1']],
    });
  });

  it('makes one job per CSV row, numbered with the width of the count', () => {
    const rows = Array.from({length: 10}, (_v, i) => `${i},${i * 2}`).join('\n');
    const jobs = planJobs(request({csv: {text: `a,b\n${rows}\n`, source: 's.csv'}}));
    expect(jobs.map((job) => job.name)).toEqual(
      Array.from({length: 10}, (_v, i) => `sim-20261122-141502-${String(i + 1).padStart(2, '0')}`),
    );
    expect(jobs[9]?.params).toEqual([
      ['a', '9'],
      ['b', '18'],
    ]);
    expect(jobs[9]?.origin).toBe('s.csv, line 11');
  });

  it('fills placeholders for --parameters, and runs the line as given (no job file appended)', () => {
    const jobs = planJobs(
      request({exe: 'cp $1 $2', name: 'bk', parameters: parameterItems('a.txt#bk/a.txt,b c#bk/', undefined)}),
    );
    expect(jobs.map((job) => [job.name, job.executable, job.passJobFile])).toEqual([
      ['bk-1', 'cp a.txt bk/a.txt', false],
      ['bk-2', "cp 'b c' bk/", false],
    ]);
  });

  it('takes the lines of standard input, skipping blank ones and dropping a CR', () => {
    expect(parameterItems('-', 'a\r\n\n  \nb c\n').items).toEqual(['a', 'b c']);
  });

  it('makes N identical jobs with --repeat, and one with a bare --exe', () => {
    expect(planJobs(request({repeat: 3, name: 'r'})).map((job) => [job.name, job.executable, job.passJobFile])).toEqual(
      [
        ['r-1', 'python sim.py', false],
        ['r-2', 'python sim.py', false],
        ['r-3', 'python sim.py', false],
      ],
    );
    expect(planJobs(request({name: 'once'}))).toMatchObject([{name: 'once', passJobFile: false, params: undefined}]);
  });

  it.each([
    ['--repeat with --parameters', {repeat: 2, parameters: {items: ['1'], source: '--parameters'}}],
    ['--param with --parameters', {params: [['a', '1']], parameters: {items: ['1'], source: '--parameters'}}],
    ['a hidden name', {name: '.x'}],
    ['a name ending in .tmp', {name: 'x.tmp'}],
    ['a name with /', {name: 'a/b'}],
    ['an empty --exe', {exe: '  '}],
  ] as [string, Partial<SubmitRequest>][])('refuses %s as a usage error', (_what, extra) => {
    expect(codeOf(() => planJobs(request(extra)))).toBe('USAGE');
  });

  it('refuses an empty item of --parameters', () => {
    expect(codeOf(() => parameterItems('1,,2', undefined))).toBe('USAGE');
  });
});
