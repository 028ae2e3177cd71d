// Types of the parts of bench/harness.mjs that the tests use.
export const ROOT: string;
// Ends every process of the benchmark's run and removes its homes.
export function removeRoot(): void;
