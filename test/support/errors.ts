// Assertions on rolemill's typed errors, shared by the reader tests.
import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** The InputError a promise rejects with (fails the test on anything else, or on success). */
export async function inputError(p: Promise<unknown>): Promise<InputError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error('expected an InputError, but the read succeeded');
  expect(err, String(err)).toBeInstanceOf(InputError);
  return err as InputError;
}
