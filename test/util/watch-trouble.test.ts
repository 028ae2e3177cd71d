import {describe, expect, it} from 'vitest';
import {watchTrouble, watchTroubleLine} from '../../src/util/watch-trouble.js';
import {watchDir} from '../../src/util/watch-dir.js';

const nodeError = (code: string, text: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${text}, watch '/home/me/run/jobqueue'`), {code, syscall: 'watch'});

describe('what a failed watch means', () => {
  it('names the inotify instance limit and the sysctl that raises it', () => {
    const trouble = watchTrouble(nodeError('EMFILE', 'too many open files'), (name) =>
      name === 'max_user_instances' ? 128 : undefined,
    );
    expect(trouble).toEqual({
      code: 'EMFILE',
      error: 'EMFILE: too many open files',
      what: 'the inotify instance limit is reached (fs.inotify.max_user_instances = 128)',
      fix: 'raise it with: sudo sysctl fs.inotify.max_user_instances=1024',
    });
    expect(watchTroubleLine(trouble)).toBe(
      'EMFILE: the inotify instance limit is reached (fs.inotify.max_user_instances = 128); raise it with: sudo sysctl fs.inotify.max_user_instances=1024',
    );
    // A limit already raised is doubled; one that cannot be read is not shown.
    expect(watchTrouble(nodeError('EMFILE', 'too many open files'), () => 4096).fix).toBe(
      'raise it with: sudo sysctl fs.inotify.max_user_instances=8192',
    );
    expect(watchTrouble(nodeError('EMFILE', 'too many open files'), () => undefined).what).toBe(
      'the inotify instance limit is reached (fs.inotify.max_user_instances)',
    );
  });

  it('names the watch limit for ENOSPC, and says what else went wrong otherwise', () => {
    expect(watchTroubleLine(watchTrouble(nodeError('ENOSPC', 'no space left on device'), () => 8192))).toBe(
      'ENOSPC: the inotify watch limit is reached (fs.inotify.max_user_watches = 8192); raise it with: sudo sysctl fs.inotify.max_user_watches=65536',
    );
    expect(watchTroubleLine(watchTrouble(nodeError('ENOSYS', 'function not implemented')))).toBe(
      'inotify could not be used (ENOSYS: function not implemented)',
    );
  });

  it('reports a watch that fails through onError, and the watch can still be closed', () => {
    const errors: unknown[] = [];
    const watch = watchDir(
      '/nonexistent/fjd-test-dir',
      () => undefined,
      (error) => errors.push(error),
    );
    expect(errors).toHaveLength(1);
    expect(watchTrouble(errors[0]).error).toBe('ENOENT: no such file or directory');
    watch.close();
  });
});
