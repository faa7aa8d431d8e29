// What the shared vectors do not cover: Go's toolchain spellings and OSV's unprefixed Go versions,
// pseudo-versions and +incompatible (https://go.dev/ref/mod#pseudo-versions,
// https://go.dev/ref/mod#incompatible-versions), invalid input per scheme, and which scheme a namespace uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apk } from '../../src/versions/apk/apk.ts';
import { deb } from '../../src/versions/deb/deb.ts';
import { go } from '../../src/versions/go/go.ts';
import { schemeNameFor } from '../../src/versions/namespace.ts';
import { rpm } from '../../src/versions/rpm/rpm.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { npm, semver } from '../../src/versions/semver/semver.ts';

describe('go', () => {
  it('toolchain versions map to semver as the Go vulnerability database writes stdlib versions', () => {
    assert.equal(go.compare('go1.21.3', '1.21.3'), 0);
    assert.equal(go.compare('go1.21', '1.21.0'), 0);
    assert.equal(go.compare('go1.21rc2', '1.21.0-rc.2'), 0);
    assert.equal(go.compare('go1.21rc2', 'go1.21'), -1);
    assert.equal(go.compare('go1.21beta1', 'go1.21rc1'), -1);
    assert.equal(go.compare('go1.20.14', 'go1.21rc1'), -1);
    assert.equal(go.compare('go1.9', 'go1.10'), -1);
  });

  it('OSV writes Go versions without the v; both spellings compare equal', () => {
    assert.equal(go.compare('v1.2.3', '1.2.3'), 0);
    assert.equal(go.compare('v0.0.0-20210101000000-abcdefabcdef', '0.0.0-20210101000000-abcdefabcdef'), 0);
  });

  it('pseudo-versions are prereleases of the next patch; +incompatible is build metadata', () => {
    assert.equal(go.compare('v1.2.4-0.20210101000000-abcdefabcdef', 'v1.2.3'), 1);
    assert.equal(go.compare('v1.2.4-0.20210101000000-abcdefabcdef', 'v1.2.4'), -1);
    assert.equal(go.compare('v0.0.0-20210101000000-abcdefabcdef', 'v0.0.0-20220101000000-123456789abc'), -1);
    assert.equal(go.compare('v2.0.0+incompatible', 'v2.0.0'), 0);
    assert.equal(go.compare('v2.1.0+incompatible', 'v2.0.0+incompatible'), 1);
  });

  it('rejects what x/mod rejects', () => {
    for (const version of ['', 'bad', 'v1.2-pre', 'v01.0.0', 'v1.0.0-01', 'go1.21.3rc1', 'go']) assert.equal(go.valid(version), false, version);
    assert.throws(() => go.compare('v1.0.0', 'v01.0.0'), InvalidVersionError);
  });
});

describe('invalid versions', () => {
  const cases: [string, (version: string) => boolean, string[]][] = [
    ['deb', deb.valid, ['', '1:', ':1.0', 'a:1.0', '1.0-', '1.0 2', 'abc', '1.0_1']],
    ['apk', apk.valid, ['', 'a1', '1.0-1', '1.0_foo', '1.0-r', '1..0']],
    ['rpm', rpm.valid, ['', '1.0 1', '1:-1']],
    ['semver', semver.valid, ['1.2', 'v1.2.3.4', '01.2.3', '1.2.3beta']],
    ['npm', npm.valid, ['1.2', 'x.y.z', '']],
  ];
  for (const [name, valid, versions] of cases) {
    it(name, () => {
      for (const version of versions) assert.equal(valid(version), false, JSON.stringify(version));
    });
  }
  it('compare throws InvalidVersionError naming the scheme and the version', () => {
    assert.throws(() => deb.compare('1.0', 'abc'), { name: 'InvalidVersionError', message: 'invalid deb version "abc"' });
    assert.throws(() => apk.compare('1.0-1', '1.0'), { name: 'InvalidVersionError', message: 'invalid apk version "1.0-1"' });
  });
  it('npm reads loosely what semver refuses', () => {
    assert.equal(npm.valid('1.2.3beta'), true);
    assert.equal(npm.valid('=v1.2.3'), true);
  });
});

describe('namespace schemes', () => {
  it('distributions by release prefix, ecosystems by name, OSV spellings too', () => {
    const want: [string, string | undefined][] = [
      ['debian:12', 'deb'], ['ubuntu:22.04', 'deb'], ['ubuntu-pro:16.04', 'deb'], ['ruby', 'gem'], ['alpine:3.19', 'apk'], ['rhel:9', 'rpm'], ['amazonlinux:2023', 'rpm'],
      ['fedora:40', 'rpm'], ['npm', 'npm'], ['go', 'go'], ['crates.io', 'semver'], ['pypi', 'pep440'], ['PyPI', 'pep440'],
      ['maven', 'maven'], ['rubygems', 'gem'], ['nuget', 'nuget'], ['packagist', 'composer'], ['Debian:11', 'deb'], ['hex', undefined],
    ];
    for (const [namespace, scheme] of want) assert.equal(schemeNameFor(namespace), scheme, namespace);
  });
});
