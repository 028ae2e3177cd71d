// Workers of an earlier fjd in a home: processes that run one job each and say nothing of
// their slots (no capacity in their info.json). They keep working beside the workers of this
// fjd (a dispatcher gives each one job at a time), but a hire that mixes the two says so,
// never silently, and says how to have only new ones.
import type {HomePaths} from '../home/layout.js';
import {listWorkers, workerLiveness} from '../home/registry.js';

// The ids of the home's workers of an earlier fjd, leaving out those known to be dead.
export function earlierWorkers(paths: HomePaths): string[] {
  return listWorkers(paths)
    .filter(({info}) => info !== undefined && info.capacity === undefined && workerLiveness(info) !== 'dead')
    .map(({id}) => id);
}
