// The reason of a job that lost more workers than it may, as its record says it (fjd status and
// users read it; recoverLostWorker itself is tested in transitions.test.ts and leave-pod.test.ts).
import {expect, it} from 'vitest';
import {lostTooOftenText} from '../../src/home/recover.js';

it('says how many workers the job lost, and its max_attempts', () => {
  expect(lostTooOftenText({lost: 1, maxAttempts: 1})).toBe('worker lost 1 time (max_attempts 1)');
  expect(lostTooOftenText({lost: 3, maxAttempts: 3})).toBe('worker lost 3 times (max_attempts 3)');
});
