// Counting a strace -f -y output (bench/round-trips.mjs): the Node process's calls on the home,
// by kind; its threads' too; not its child processes' (the jobs), nor calls outside the home.
import {expect, it} from 'vitest';
import {countCalls} from '../../bench/round-trips.mjs';

const H = '/tmp/h';
const trace = [
  // Node's own start, in the home's working directory: not on the home.
  `100 openat(AT_FDCWD<${H}>, "/usr/lib/libc.so.6", O_RDONLY|O_CLOEXEC) = 3</usr/lib/libc.so.6>`,
  `100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 101`,
  // A thread's call, printed in two halves.
  `101 statx(AT_FDCWD<${H}>, "${H}/jobqueue/a", AT_STATX_SYNC_AS_STAT <unfinished ...>`,
  `100 openat(AT_FDCWD<${H}>, "${H}/.fjd/records/a.json", O_RDONLY|O_CLOEXEC) = 20<${H}/.fjd/records/a.json>`,
  `101 <... statx resumed>, STATX_ALL, {stx_mask=STATX_ALL}) = 0`,
  `100 statx(20<${H}/.fjd/records/a.json>, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {}) = 0`,
  `100 getdents64(21<${H}/jobqueue>, 0x1 /* 2 entries */, 32768) = 48`,
  // A job: a child process (no CLONE_THREAD), printed before the clone returns, and its own
  // child.
  `102 chdir("${H}") = 0`,
  `100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 102`,
  `102 execve("/bin/sh", ["sh"], 0x1 /* 3 vars */) = 0`,
  `102 clone(child_stack=NULL, flags=SIGCHLD) = 103`,
  `103 openat(AT_FDCWD<${H}>, "${H}/out", O_WRONLY|O_CREAT, 0666) = 3<${H}/out>`,
  `100 rename("${H}/jobqueue/a", "${H}/.fjd/workers/w/pod/a") = 0`,
  `100 access("${H}/.fjd/workers/w/fire", F_OK) = -1 ENOENT (No such file or directory)`,
  `100 +++ exited with 0 +++`,
].join('\n');

it('counts the calls on the home of the Node process and its threads, by kind, and not its child processes', () => {
  expect(countCalls(trace, H)).toEqual({open: 1, stat: 1, fstat: 1, getdents64: 1, rename: 1, access: 1});
});
