// Types of the parts of bench/harness.mjs that the tests use.
export const ROOT: string;
// Ends every process of the benchmark's run and removes its homes.
export function removeRoot(): void;
// Resolves once the child process has exited; with `signal`, sends it that first.
export function dispatcherEnd(
  dispatcher: import('node:child_process').ChildProcess,
  signal?: NodeJS.Signals,
): Promise<unknown>;
