// compare's policy delta: met beats failed, fewer violations beat more, unknown against known is unknown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyDelta, renderPolicyDeltaText } from '../../src/policy/delta.ts';
import type { PolicyResult, PolicyStatus } from '../../src/policy/model.ts';

const result = (name: string, status: PolicyStatus, violations = status === 'failed' ? 1 : 0): PolicyResult => ({
  name, type: 'non-root-user', status, summary: '', parameters: {}, violations: Array.from({ length: violations }, () => ({ kind: 'setting' as const, text: 'x' })),
});

describe('policyDelta', () => {
  it('better, worse, unchanged, unknown', () => {
    const image = [result('a', 'met'), result('b', 'failed'), result('c', 'failed', 2), result('d', 'failed', 3), result('e', 'met'), result('f', 'unknown'), result('g', 'unknown')];
    const other = [result('a', 'failed'), result('b', 'met'), result('c', 'failed', 5), result('d', 'failed', 1), result('e', 'met'), result('f', 'met'), result('g', 'unknown')];
    assert.deepEqual(policyDelta(image, other).map((delta) => `${delta.name} ${delta.change}`), ['a better', 'b worse', 'c better', 'd worse', 'e unchanged', 'f unknown', 'g unchanged']);
    const text = renderPolicyDeltaText(policyDelta(image, other).slice(0, 1), { image: 'new', other: 'old' });
    assert.equal(text, '\n  Policies (new against old)\n\n  ↑ better     a  failed (1) → met\n');
  });
});
