import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as pause} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {AS_PLAIN_USER} from '../helpers/privileges.js';
import {waitUntil} from '../helpers/wait.js';

describe('bad input gets a clear reason in failed/, and nothing is lost', () => {
  it('fails each kind of broken job with its reason, keeps its bytes, and carries on', async () => {
    const home = makeHome('bad');
    const dataFile = path.join(home.dir, 'data.txt');
    fs.writeFileSync(dataFile, 'not a program', {mode: 0o644});
    const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]);
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty', '', /^the job file is empty$/],
      ['garbage.bin', garbage, /^the job file is binary/],
      [
        'unparsable',
        '[control]\nexecutable = x\nthis line is nonsense\n',
        /^line 3: "this line is nonsense" is neither a \[section\] nor a key = value line$/,
      ],
      ['no-control', '[params]\na = 1\n', /^no \[control\] section \(found \[params\]\)$/],
      ['no-executable', '[control]\nlogfile = x.dat\n', /^\[control\] has no executable$/],
      [
        'missing-program',
        '[control]\nexecutable = /nonexistent/bin/sim --x\n',
        /^executable \/nonexistent\/bin\/sim does not exist$/,
      ],
      [
        'missing-on-path',
        '[control]\nexecutable = no-such-program-fjd-test\n',
        /^executable no-such-program-fjd-test was not found on the worker's PATH$/,
      ],
      ['not-executable', `[control]\nexecutable = ${dataFile}\n`, /is not an executable file$/],
      [
        'missing-workdir',
        `[control]\nworkdir = nowhere\nexecutable = ${fixture('fail.sh')} 0\n`,
        /^working directory .*\/nowhere does not exist$/,
      ],
      ['unreadable', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`, /^cannot read the job file \(EACCES\)$/],
    ];
    for (const [name, content] of cases)
      home.job(name, typeof content === 'string' ? content : content.toString('latin1'));
    fs.writeFileSync(path.join(home.dir, 'jobqueue', 'garbage.bin'), garbage);
    fs.chmodSync(path.join(home.dir, 'jobqueue', 'unreadable'), 0o000);
    home.job('good', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    fs.mkdirSync(path.join(home.dir, 'jobqueue', 'a-directory'));
    for (const ignored of ['.hidden', 'draft.tmp', 'backup~', '#autosave#']) {
      fs.writeFileSync(path.join(home.dir, 'jobqueue', ignored), '[control]\nexecutable = false\n');
    }

    const hire = await home.run('recruiter', ['hire', '2'], {wrap: AS_PLAIN_USER});
    expect(hire.exitCode, hire.stderr).toBe(0);
    const result = await home.run('dispatcher', []);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'dispatcher: warning: jobqueue/a-directory is a directory, not a job file; leaving it alone',
    );
    expect(result.stdout).toMatch(new RegExp(`^Finished: 1, failed: ${cases.length}, `, 'm'));
    expect(home.ls('done')).toEqual(['good']);
    expect(home.ls('failed')).toEqual(cases.map(([name]) => name).sort());
    for (const [name, content, reason] of cases) {
      const record = home.record(name);
      expect(record.state, name).toBe('failed');
      expect(record.reason, name).toMatch(reason);
      expect(result.stdout).toContain(`Job ${name} failed: `);
      if (name !== 'unreadable')
        expect(fs.readFileSync(path.join(home.dir, 'failed', name))).toEqual(Buffer.from(content));
    }
    expect(fs.statSync(path.join(home.dir, 'failed', 'unreadable')).mode & 0o777).toBe(0);
    expect(home.ls('jobqueue')).toEqual(['#autosave#', '.hidden', 'a-directory', 'backup~', 'draft.tmp']);
  });

  it('waits for a job file written in place, in pieces with pauses shorter than the settle time, instead of reading half of it', async () => {
    const home = makeHome('slow');
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch', '--settle', '700ms']);
    const file = path.join(home.dir, 'jobqueue', 'slow.ini');
    fs.mkdirSync(path.dirname(file), {recursive: true});
    // A slow producer that opens and closes the file for each piece (as `echo >>` does), so
    // that nothing but the settle time guards it. The pauses are the scenario under test, not
    // synchronisation.
    for (const piece of [
      '[control]\n',
      `executable = node ${fixture('record-argv.mjs')}\n`,
      '[params]\n',
      'complete = yes\n',
    ]) {
      fs.appendFileSync(file, piece);
      await pause(250);
    }
    await waitUntil(() => home.ls('done').includes('slow.ini'), 20_000, 'slow.ini to finish');
    const seen = JSON.parse(home.read(`seen/slow.ini.json`)) as {file: string};
    expect(seen.file).toContain('complete = yes');
    dispatcher.signal('SIGINT');
    const stopped = await dispatcher.result;
    expect(stopped.exitCode).toBe(130);
    expect(stopped.stdout).toContain('Dispatcher stopped.');
    expect(stopped.stdout).toContain(
      `The workers are still there: fire them with "recruiter fire --home ${home.dir}".`,
    );
    await home.run('recruiter', ['fire']);
  });

  it('waits for a writer on this host that holds the file open and pauses longer than the settle time', async () => {
    const home = makeHome('held');
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch', '--settle', '500ms']);
    await waitUntil(() => dispatcher.output().includes('Dispatcher started.'), 20_000, 'the dispatcher to start');
    // The shell keeps the file open across its pause of 3 s, six times the settle time.
    const script = `(printf '[control]\\nexecutable = node %s\\n' "$0"; sleep 3; printf '[params]\\ncomplete = yes\\n') > jobqueue/slow3.ini`;
    const writer = await execa('sh', ['-c', script, fixture('record-argv.mjs')], {cwd: home.dir, reject: false});
    expect(writer.exitCode, writer.stderr).toBe(0);
    await waitUntil(() => home.ls('done').length + home.ls('failed').length > 0, 20_000, 'slow3.ini to end');
    expect(home.ls('failed'), JSON.stringify(home.ls('failed').map((id) => home.record(id).reason))).toEqual([]);
    const seen = JSON.parse(home.read('seen/slow3.ini.json')) as {file: string};
    expect(seen.file).toMatch(/complete = yes\n$/);
    expect(dispatcher.output()).toMatch(
      /dispatcher: warning: jobqueue\/slow3\.ini is unchanged for 500ms but still open for writing by \S+ \(pid \d+\); it is taken once that closes it\n/,
    );
    dispatcher.signal('SIGINT');
    expect((await dispatcher.result).exitCode).toBe(130);
    await home.run('recruiter', ['fire']);
  });
});
