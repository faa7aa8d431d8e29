// The policy file: every kind of mistake is one line naming the file, the line and the field, and the
// file is refused whole; defaults fill what a policy leaves out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import { DEFAULT_POLICIES, loadPolicyFile, parsePolicyFile, selectPolicies } from '../../src/policy/file.ts';
import { judgeLicenses, isSpdxId } from '../../src/policy/license.ts';

function refused(text: string): string {
  try {
    parsePolicyFile(text, 'policies.yaml');
  } catch (error) {
    assert.ok(error instanceof SpyglassError, String(error));
    assert.ok(!error.message.includes('\n'));
    return error.message;
  }
  assert.fail('accepted');
}

describe('policy file errors', () => {
  it('an unknown policy type: its line and field', () => {
    assert.match(refused('policies:\n  - type: copyleft\n\n  - type: no-such-thing\n'), /^policy file policies\.yaml:4: policies\[1\]\.type: unknown policy type "no-such-thing" \(known: fixable-critical-high, /);
  });
  it('a wrong parameter type', () => {
    assert.equal(refused('policies:\n  - type: fixable-critical-high\n    severities: [critical]\n    fixAgeDays: thirty\n'), 'policy file policies.yaml:4: policies[0].fixAgeDays: must be integer');
    assert.equal(refused('policies:\n  - type: supply-chain\n    sbom: "yes"\n'), 'policy file policies.yaml:3: policies[0].sbom: must be boolean');
    assert.equal(refused('policies:\n  - type: custom-vulnerability\n    name: x\n    epssScore: 2\n'), 'policy file policies.yaml:4: policies[0].epssScore: must be <= 1');
    assert.equal(refused('policies:\n  - type: custom-vulnerability\n    name: x\n    severities: [critical, severe]\n'), 'policy file policies.yaml:4: policies[0].severities[1]: must be one of critical, high, medium, low, unspecified');
  });
  it('an invalid SPDX id', () => {
    assert.equal(refused('policies:\n  - type: copyleft\n    licenses:\n      - GPL-3.0-only\n      - AGPL-3\n'), 'policy file policies.yaml:5: policies[0].licenses[1]: "AGPL-3" is not an SPDX licence id (see spdx.org/licenses; e.g. AGPL-3.0-only)');
    assert.match(refused('policies:\n  - type: copyleft\n    licenses: [MIT OR AGPL-3.0-only]\n'), /^policy file policies\.yaml:3: policies\[0\]\.licenses\[0\]: "MIT OR AGPL-3\.0-only" is not an SPDX licence id/);
  });
  it('a bad regular expression', () => {
    assert.equal(refused('policies:\n  - type: approved-base\n    patterns:\n      - debian:*\n      - /^(alpine/\n'), 'policy file policies.yaml:5: policies[0].patterns[1]: "/^(alpine/" is not a valid regular expression (/^(alpine/: Unterminated group)');
  });
  it('an unknown parameter, a missing one, a duplicate name, not a mapping, not YAML', () => {
    assert.equal(refused('policies:\n  - type: non-root-user\n    user: app\n'), 'policy file policies.yaml:3: policies[0].user: unknown parameter for this policy type');
    assert.equal(refused('policies:\n  - type: approved-base\n'), 'policy file policies.yaml:2: policies[0]: must have patterns');
    assert.equal(refused('policies:\n  - type: custom-vulnerability\n    epssScore: 0.5\n'), 'policy file policies.yaml:2: policies[0]: must have name');
    assert.equal(refused('policies:\n  - type: copyleft\n  - type: copyleft\n    licenses: [GPL-3.0-only]\n'), 'policy file policies.yaml:3: policies[1].type: the name "No copyleft licenses" is already policies[0]\'s: give each policy its own name');
    assert.equal(refused('- type: copyleft\n'), 'policy file policies.yaml:1: (the document): must be a mapping with a `policies:` list');
    assert.equal(refused('policies: []\n'), 'policy file policies.yaml:1: policies: must NOT have fewer than 1 items');
    assert.match(refused('policies:\n  - type: copyleft\n   name: x\n'), /^policy file policies\.yaml:3: not valid YAML: /);
  });
  it('a missing file', async () => {
    await assert.rejects(loadPolicyFile('no/such/policies.yaml'), { message: 'policy file no/such/policies.yaml: no such file' });
  });
});

describe('policy file contents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spyglass-policy-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills defaults and keeps names; --only-policy selects by name or type', async () => {
    const path = join(dir, 'p.yaml');
    writeFileSync(path, 'policies:\n  - type: fixable-critical-high\n    ignoreBase: true\n  - type: custom-vulnerability\n    name: Exploitable\n    epssScore: 0.5\n  - type: approved-base\n    patterns: ["debian:*"]\n');
    const policies = await loadPolicyFile(path);
    assert.deepEqual(policies[0], { type: 'fixable-critical-high', name: 'No fixable critical or high vulnerabilities', severities: ['critical', 'high'], fixAgeDays: 0, ignoreBase: true });
    assert.deepEqual(policies[1], { type: 'custom-vulnerability', name: 'Exploitable', epssScore: 0.5 });
    assert.deepEqual(selectPolicies(policies, 'Exploitable,approved-base').map((policy) => policy.name), ['Exploitable', 'Approved base images']);
    assert.throws(() => selectPolicies(policies, 'nope'), { message: /^--only-policy nope: no such policy \(policies: No fixable critical or high vulnerabilities, Exploitable, Approved base images\)$/ });
  });

  it('the defaults are Docker Scout\'s: six policies, approved-base off', () => {
    assert.deepEqual(DEFAULT_POLICIES.map((policy) => policy.type), ['fixable-critical-high', 'high-profile', 'copyleft', 'non-root-user', 'supply-chain', 'outdated-base']);
  });
});

describe('the copyleft rule', () => {
  const AGPL = ['AGPL-3.0-only', 'AGPL-3.0-or-later'];
  const fails = (expression: string) => judgeLicenses([expression], AGPL).failing.length > 0;
  it('an expression fails when every way to satisfy it needs a listed licence', () => {
    assert.equal(fails('AGPL-3.0-only'), true);
    assert.equal(fails('AGPL-3.0-or-later'), true);
    assert.equal(fails('AGPL-3.0+'), true);
    assert.equal(fails('AGPL-3.0'), true);
    assert.equal(fails('MIT OR AGPL-3.0-only'), false);
    assert.equal(fails('MIT AND AGPL-3.0-only'), true);
    assert.equal(fails('(MIT AND AGPL-3.0-only) OR AGPL-3.0-or-later'), true);
    assert.equal(fails('(MIT AND AGPL-3.0-only) OR Apache-2.0'), false);
    assert.equal(fails('GPL-3.0-only'), false);
    assert.equal(fails('AGPL-1.0-only'), false);
    assert.deepEqual(judgeLicenses(['MIT', 'AGPL-3.0-only', 'public-domain'], AGPL), { failing: ['AGPL-3.0-only'], unparsed: ['public-domain'] });
    assert.deepEqual(judgeLicenses(['GPL-2.0+'], ['GPL-2.0-or-later']).failing, ['GPL-2.0+']);
    assert.deepEqual(judgeLicenses(['GPL-2.0+'], ['GPL-2.0-only']).failing, []);
  });
  it('listed ids must be single SPDX ids', () => {
    assert.deepEqual(['AGPL-3.0-only', 'MIT', 'LicenseRef-acme', 'AGPL-3', 'MIT OR ISC', 'GPL-2.0+', ''].map(isSpdxId), [true, true, true, false, false, false, false]);
  });
});
