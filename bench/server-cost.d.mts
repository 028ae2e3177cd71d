// Types of bench/server-cost.mjs, for the tests that hold its counts.
export interface Counted {
  workerProcesses: number;
  dispatcherPerSecond: number;
  workersPerSecond: number;
  dispatcherByCall: Record<string, number>;
  workersByCall: Record<string, number>;
}
export interface ServerCostConfig {
  workers: number;
  backlogs: [number, number];
  busySlots: number;
  settleSeconds: number;
  seconds: number;
}
export function idleCost(workers: number, config: ServerCostConfig): Promise<Counted>;
export function busyCost(backlog: number, config: ServerCostConfig): Promise<Counted>;
export function serverCost(config: ServerCostConfig): Promise<unknown>;
export function serverCostLines(result: unknown, config: ServerCostConfig): string[];
