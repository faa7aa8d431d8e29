import assert from 'node:assert/strict';
import { SpyglassError } from '../../src/core/errors.ts';

/** Asserts `promise` rejects with a SpyglassError (exit code 1) whose one-line message is exactly `message`. */
export async function rejectsWithMessage(promise: Promise<unknown>, message: string | RegExp): Promise<SpyglassError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SpyglassError, `expected a SpyglassError, got ${String(caught)}`);
  assert.equal(caught.exitCode, 1);
  assert.ok(!caught.message.includes('\n'), 'the message is one line');
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}
