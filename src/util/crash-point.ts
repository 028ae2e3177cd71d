// Fault injection for the tests: FJD_CRASH_AT=NAME (or NAME@N for the N-th time it is reached,
// or a comma-separated list of those) makes the process kill itself with SIGKILL right there,
// as a power cut or the OOM killer would. Every crash point sits right after a state change.

const wanted = new Map<string, number>();
for (const item of (process.env.FJD_CRASH_AT ?? '').split(',')) {
  const [name = '', nth = '1'] = item.trim().split('@');
  if (name !== '') wanted.set(name, Math.max(1, Number(nth) || 1));
}
const reached = new Map<string, number>();

export function crashPoint(name: string): void {
  if (wanted.size === 0) return;
  const nth = wanted.get(name);
  if (nth === undefined) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  if (count === nth) process.kill(process.pid, 'SIGKILL');
}
