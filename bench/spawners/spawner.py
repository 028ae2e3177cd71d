# A long-lived spawner for the spawn benchmark (bench/spawn.mjs), in Python: subprocess.Popen,
# which forks with vfork (CPython 3.10 and later, when nothing runs in the child before exec).
# Requests and replies as spawner.pl's.
import os, select, signal, subprocess, sys

r, w = os.pipe()
os.set_blocking(w, False)
signal.set_wakeup_fd(w)
signal.signal(signal.SIGCHLD, lambda *_: None)
running = {}
buf = b''
out = sys.stdout
while True:
    ready, _, _ = select.select([0, r], [], [])
    if r in ready:
        os.read(r, 4096)
    for pid, (proc, ident) in list(running.items()):
        code = proc.poll()
        if code is not None:
            del running[pid]
            out.write(f'X {ident} signal {-code}\n' if code < 0 else f'X {ident} code {code}\n')
    if 0 in ready:
        got = os.read(0, 65536)
        if not got:
            break
        buf += got
        while b'\n' in buf:
            head, rest = buf.split(b'\n', 1)
            n = int(head)
            if len(rest) < n:
                break
            body, buf = rest[:n], rest[n:]
            f = [x.decode() for x in body.split(b'\0')]
            ident, cwd, o, e, argc = f[0], f[1], f[2], f[3], int(f[4])
            argv, env = f[5:5 + argc], dict(kv.split('=', 1) for kv in f[5 + argc:])
            try:
                so = os.open(o, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                se = so if e == o else os.open(e, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=so,
                                         stderr=se, start_new_session=True, close_fds=False)
                finally:
                    os.close(so)
                    if se != so:
                        os.close(se)
                running[p.pid] = (p, ident)
                out.write(f'P {ident} {p.pid}\n')
            except OSError as error:
                out.write(f'E {ident} {error}\n')
    out.flush()
