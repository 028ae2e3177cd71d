import {FjdError} from '../../src/errors.js';

// The FjdError code an action throws, or undefined when it throws nothing.
export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof FjdError) return error.code;
    throw error;
  }
  return undefined;
}

// The FjdError an action throws; anything else, or nothing, fails the test.
export function errorOf(action: () => unknown): FjdError {
  try {
    action();
  } catch (error) {
    if (error instanceof FjdError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}
