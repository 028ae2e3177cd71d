// The job starter's program: a small Python process that a worker keeps beside it and asks to
// start its jobs, so that the worker's event loop does not pay for a fork of itself per job
// (about 1 ms of a 60 MB Node process; Python's subprocess forks with vfork). starter.ts runs it
// and speaks its protocol; this file is the program and the protocol's definition.
//
// Requests, on its stdin: a decimal length, a newline, then that many bytes of NUL-separated
// fields: the job's key, its working directory, its stdout file, its stderr file, the number
// of argv words, the argv words, then its environment (NAME=value each) to the end.
//
// Replies, on its stdout, one line each:
//   R 1                  ready (the first line)
//   P key pid            started, in its own session
//   E key open out|err N  its stdout or stderr file could not be opened: errno N
//   E key start N         it could not be started (chdir or exec): errno N
//   E key fail TEXT       it could not be started, for a reason Python gives as TEXT
//   X key c N            ended with exit code N
//   X key s N            ended by signal N
//
// It ends at the end of its stdin, leaving the jobs it started running (a worker killed with
// -9 leaves its jobs as a worker that started them itself would). SIGINT, SIGTERM, SIGHUP and
// SIGQUIT do not end it: they reach it with the worker (a Ctrl-C, Slurm's scancel), and the
// worker, which handles them, still needs it to hear how its jobs end. Its handlers are
// Python's, so the jobs start with the default dispositions, not ignoring these signals.
// Python 3.6 and later.
export const STARTER_PROGRAM = String.raw`
import os, select, signal, subprocess, sys

wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
# Signals ignored where it was started would be ignored by its jobs too: they get the defaults.
for sig in range(1, signal.NSIG):
    try:
        if sig != signal.SIGPIPE and signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
    except (OSError, ValueError):
        pass
for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(sig, lambda *_: None)
FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
running = {}
replies = [b'R 1\n']
pending = b''

def reply():
    global replies
    data = b''.join(replies)
    replies = []
    while data:
        data = data[os.write(1, data):]

def reap():
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        key, proc = running.pop(pid, (None, None))
        if key is None:
            continue
        if os.WIFSIGNALED(status):
            proc.returncode = -os.WTERMSIG(status)
            replies.append(b'X ' + key + b' s %d\n' % os.WTERMSIG(status))
        else:
            proc.returncode = os.WEXITSTATUS(status)
            replies.append(b'X ' + key + b' c %d\n' % os.WEXITSTATUS(status))

def start(fields):
    key, cwd, out, err, argc = fields[:5]
    argc = int(argc)
    argv = fields[5:5 + argc]
    env = dict(entry.split(b'=', 1) for entry in fields[5 + argc:])
    try:
        so = os.open(out, FLAGS, 0o600)
    except OSError as error:
        replies.append(b'E ' + key + b' open out %d\n' % error.errno)
        return
    try:
        se = so if err == out else os.open(err, FLAGS, 0o600)
    except OSError as error:
        os.close(so)
        replies.append(b'E ' + key + b' open err %d\n' % error.errno)
        return
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=so, stderr=se,
                                start_new_session=True, close_fds=False)
    except OSError as error:
        replies.append(b'E ' + key + b' start %d\n' % (error.errno or 0))
        return
    except Exception as error:
        replies.append(b'E ' + key + b' fail ' + repr(error).encode('utf-8', 'replace').replace(b'\n', b' ') + b'\n')
        return
    finally:
        os.close(so)
        if se != so:
            os.close(se)
    running[proc.pid] = (key, proc)
    replies.append(b'P ' + key + b' %d\n' % proc.pid)

reply()
while True:
    ready = select.select([0, wake_r], [], [])[0]
    if wake_r in ready:
        os.read(wake_r, 4096)
        reap()
    if 0 in ready:
        got = os.read(0, 1 << 16)
        if not got:
            break
        pending += got
        while True:
            nl = pending.find(b'\n')
            if nl < 0:
                break
            size = int(pending[:nl])
            if len(pending) < nl + 1 + size:
                break
            body = pending[nl + 1:nl + 1 + size]
            pending = pending[nl + 1 + size:]
            start(body.split(b'\0'))
        reap()
    reply()
`;
