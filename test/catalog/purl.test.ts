// Package URLs compared, as parsed purls (qualifier order is not significant), with reference lists:
// the fixture manifests (made with packageurl-js) and Trivy's output for the rpm epoch case.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { packageUrl } from '../../src/catalog/purl.ts';
import type { PackageType } from '../../src/core/package.ts';
import { FIXTURE_MANIFESTS, SHARED } from '../helpers/fixtures.ts';

const same = (actual: string, expected: string) => assert.deepEqual(PackageURL.fromString(actual), PackageURL.fromString(expected));

describe('package URLs', () => {
  it('rpm: the epoch is a qualifier, not part of the version (Trivy\'s purl for the epoch fixture)', () => {
    const trivy = JSON.parse(readFileSync(join(SHARED, 'data/fixtures/rpm/bdb-epoch-hello/TRIVY-REFERENCE.json'), 'utf8'));
    const expected = JSON.stringify(trivy).match(/pkg:rpm\/centos\/hello@[^"]+/)![0];
    same(packageUrl({ type: 'rpm', name: 'hello', version: '1:0.0.1-rls', arch: 'x86_64', qualifiers: { epoch: '1' } }, { id: 'centos', versionId: '7.9.2009' }), expected);
  });

  it('deb, npm, golang and pypi purls of app-bullseye as the fixture manifest lists them', () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, 'app-bullseye.json'), 'utf8')) as {
      os: { id: string; versionId: string };
      packages: { type: string; name: string; version: string; arch: string | null; source: string | null; sourceVersion: string | null; purl: string }[];
    };
    for (const pkg of manifest.packages) {
      const type = (pkg.type === 'python' ? 'pypi' : pkg.type) as PackageType;
      const found = { type, name: pkg.name, version: pkg.version, arch: pkg.arch ?? undefined, sourceName: pkg.source ?? undefined, sourceVersion: pkg.sourceVersion ?? undefined };
      same(packageUrl(found, manifest.os), pkg.purl);
    }
  });
});
