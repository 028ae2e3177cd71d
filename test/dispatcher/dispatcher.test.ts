// The dispatcher driven in this process, for what no real file can be made to do on demand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it, vi} from 'vitest';
import {Dispatcher} from '../../src/dispatcher/dispatcher.js';
import {ensureHome} from '../../src/home/layout.js';
import {hostName, processStartTime} from '../../src/util/host.js';

const roots: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

// An idle worker as the dispatcher sees one: registered with this process's pid, announced.
function fakeIdleWorker(home: string, id: string): void {
  const info = {
    fjd: 1,
    id,
    host: hostName(),
    pid: process.pid,
    procStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    cwd: home,
    log: null,
    heartbeatMs: 5000,
  };
  fs.mkdirSync(path.join(home, '.fjd', 'workers', id, 'pod'), {recursive: true});
  fs.writeFileSync(path.join(home, '.fjd', 'workers', id, 'info.json'), JSON.stringify(info));
  fs.writeFileSync(path.join(home, 'workerqueue', id), JSON.stringify({host: info.host, pid: info.pid}));
}

it('ends the run when a name it lists cannot be found (a listing that no longer names a file), without listing it again and again', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-'));
  roots.push(root);
  const home = ensureHome(path.join(root, 'home')).root;
  fs.writeFileSync(path.join(home, 'jobqueue', 'ghost'), '[control]\nexecutable = true\n');
  fakeIdleWorker(home, 'w1');
  // Listed, but gone by the time it is read or looked at before it is handed out: as a name a
  // listing garbles, or an NFS listing older than the file's removal.
  const ghost = path.join(home, 'jobqueue', 'ghost');
  const gone = (file: fs.PathLike): Error =>
    Object.assign(new Error(`ENOENT: no such file or directory, '${String(file)}'`), {code: 'ENOENT'});
  const lstat = fs.lstatSync.bind(fs);
  const open = fs.openSync.bind(fs);
  let looks = 0;
  vi.spyOn(fs, 'lstatSync').mockImplementation(((file: fs.PathLike, options?: fs.StatSyncOptions) => {
    if (String(file) !== ghost) return lstat(file, options);
    looks++;
    throw gone(file);
  }) as typeof fs.lstatSync);
  vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    if (String(file) !== ghost) return open(file, flags ?? 'r', mode);
    looks++;
    throw gone(file);
  }) as typeof fs.openSync);

  const summary = await new Dispatcher({home, watch: false, rescanMs: 50}).run();
  expect(summary).toMatchObject({finished: 0, failed: 0, interrupted: false});
  // Looked at when first listed, and once more by the listing that confirms the end.
  expect(looks).toBe(2);
  expect(fs.readdirSync(path.join(home, 'jobqueue'))).toEqual(['ghost']);
});
