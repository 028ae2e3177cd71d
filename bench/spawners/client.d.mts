// Types of client.mjs, for the test of the spawners (test/bench/spawn.test.ts).
export interface SpawnJob {
  cwd: string;
  env: Record<string, string>;
  stdoutFile: string;
  stderrFile: string;
}
export interface SpawnerClient {
  start(
    id: string | number,
    job: SpawnJob,
    argv: string[],
  ): {started: Promise<number | undefined>; ended: Promise<string>};
  run(id: string | number, job: SpawnJob, argv: string[]): Promise<void>;
  close(): Promise<void>;
}
export const SPAWNER_COMMANDS: [name: string, command: string, args: string[], framing: 'length' | 'fields'][];
export function spawnerClient(command: string, args: string[], framing: 'length' | 'fields'): SpawnerClient;
