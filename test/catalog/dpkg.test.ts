// The dpkg cataloger on every dpkg and distroless fixture case: exactly the EXPECTED.json list
// (dpkg-query's installed set). Where dpkg-query refused a deliberately malformed file
// (`reference_error`), a scanner should neither crash nor lose the good paragraphs: we expect
// trivy's list of the same file (TRIVY-REFERENCE.json, which keeps the valid paragraphs), with
// warnings saying what was skipped, or, when not one paragraph names a package, an unknown.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/cataloger.ts';
import { parseCopyright } from '../../src/catalog/dpkg/copyright.ts';
import { parseDpkgStatus } from '../../src/catalog/dpkg/status.ts';
import { byName, caseNames, FIXTURE_CASES, readJson, runCase, type Expected, type TrivyReference } from './os-package-cases.ts';

const KINDS: { kind: string; mapPath: (relativePath: string) => string }[] = [
  // dpkg cases are an admin directory: `status` at the case root.
  { kind: 'dpkg', mapPath: (path) => (path === 'status' ? '/var/lib/dpkg/status' : `/${path}`) },
  // distroless cases are a root filesystem.
  { kind: 'dpkg-distroless', mapPath: (path) => `/${path}` },
];

for (const { kind, mapPath } of KINDS) {
  describe(`dpkg cataloger: ${kind} fixtures`, () => {
    for (const name of caseNames(kind)) {
      const caseDir = join(FIXTURE_CASES, kind, name);
      const expected = readJson<Expected>(join(caseDir, 'EXPECTED.json'));
      it(`${name}: ${expected.reference_error ? 'the valid subset of a malformed file' : `${expected.count} installed packages`}`, async () => {
        const run = await runCase(dpkgCataloger, caseDir, mapPath);
        const found = run.packages
          .map((pkg) => ({ name: pkg.name, version: pkg.version, architecture: pkg.arch ?? null, source: pkg.sourceName, source_version: pkg.sourceVersion }))
          .sort(byName);
        if (!expected.reference_error) {
          assert.deepEqual(run.errors, []);
          assert.deepEqual(found, [...expected.packages].sort((a, b) => byName(a as never, b as never)));
          return;
        }
        const trivy = readJson<TrivyReference>(join(caseDir, 'TRIVY-REFERENCE.json')).packages
          .filter((pkg) => pkg.type === 'library')
          .map((pkg) => ({ name: pkg.name, version: pkg.version, source: pkg.src_name }))
          .sort(byName);
        const warnings = run.results.flatMap(({ result }) => result.warnings ?? []);
        if (run.errors.length > 0) {
          // Nothing in the file is a package paragraph: the whole file becomes an unknown.
          assert.deepEqual(trivy, []);
          assert.deepEqual(found, []);
          assert.match(run.errors[0]!.message, /no paragraph has a Package field/);
        } else {
          assert.deepEqual(found.map(({ name: n, version, source }) => ({ name: n, version, source })), trivy);
          assert.ok(warnings.length > 0, 'what was skipped is recorded');
        }
      });
    }
  });
}

describe('dpkg cataloger: what it reads', () => {
  it('wants the status database, distroless paragraphs and their md5sums, info lists and copyright files only', () => {
    const wants = (path: string) => dpkgCataloger.wants(path, { size: 1, mode: 0o644 });
    for (const path of ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d/base-files', '/var/lib/dpkg/status.d/libpython3.11',
      '/var/lib/dpkg/status.d/netbase.md5sums', '/var/lib/dpkg/info/libc6:amd64.list', '/usr/share/doc/libc6/copyright']) {
      assert.ok(wants(path), path);
    }
    for (const path of ['/var/lib/dpkg/status-old', '/var/lib/dpkg/status.d/libsqlite3-0.preinst', '/var/lib/dpkg/info/libc6:amd64.md5sums',
      '/usr/share/doc/libc6/changelog.gz', '/usr/share/doc/libc6/examples/copyright', '/var/lib/dpkg/available']) {
      assert.ok(!wants(path), path);
    }
  });

  it('gives info/NAME.list as the file list of NAME (arch kept in the owner), without the root entry', async () => {
    const result = await dpkgCataloger.parse({
      path: '/var/lib/dpkg/info/libc6:amd64.list', content: Buffer.from('/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n'), mode: 0o644, layerDiffId: 'sha256:0',
    });
    assert.deepEqual(result.fileLists, [{ owner: 'libc6:amd64', files: ['/lib', '/lib/x86_64-linux-gnu/libc.so.6'] }]);
  });

  it('gives a distroless NAME.md5sums as the file list of NAME, with absolute paths', async () => {
    const result = await dpkgCataloger.parse({
      path: '/var/lib/dpkg/status.d/netbase.md5sums', content: Buffer.from('b4d3c1a1d0d5b3c1f2e4d6a8b0c2e4f6  etc/protocols\n'), mode: 0o644, layerDiffId: 'sha256:0',
    });
    assert.deepEqual(result.fileLists, [{ owner: 'netbase', files: ['/etc/protocols'] }]);
  });

  it('reads the licences of a machine-readable (DEP-5) copyright file as SPDX ids, and none from a free-form one', () => {
    // DEP-5 §"License specification": `GPL-2+` is the GPL version 2 or later, SPDX `GPL-2.0-or-later`; `Expat` is SPDX `MIT`.
    const dep5 = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: someone\nLicense: GPL-2+ or Expat\n\nFiles: debian/*\nLicense: LGPL-2.1\n text\n';
    assert.deepEqual(parseCopyright(dep5), ['GPL-2.0-or-later', 'MIT', 'LGPL-2.1-only']);
    assert.deepEqual(parseCopyright('This is the Debian prepackaged version of the GNU C Library.\n\nLicense: LGPL\n'), []);
  });

  it('counts "hold ok installed" as installed and "deinstall ok config-files" or a missing Status (in /var/lib/dpkg/status) as not', () => {
    const text = ['Package: held', 'Status: hold ok installed', 'Version: 1.0', '', 'Package: removed', 'Status: deinstall ok config-files', 'Version: 1.0', '',
      'Package: nostatus', 'Version: 1.0', ''].join('\n');
    assert.deepEqual(parseDpkgStatus(text, false).packages.map((pkg) => pkg.name), ['held']);
    assert.deepEqual(parseDpkgStatus(text, true).packages.map((pkg) => pkg.name), ['held', 'nostatus']);
  });
});

describe('dpkg cataloger: bad input', () => {
  const status = (name: string, extra = '') => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n${extra}Description: x\n long\n  text\n`;

  it('keeps the paragraphs before a truncation and records the cut', () => {
    const text = `${status('first')}\n${status('second')}\nPackage: third\nStatus: install ok inst`;
    const { packages, warnings } = parseDpkgStatus(text, false);
    assert.deepEqual(packages.map((pkg) => pkg.name), ['first', 'second']);
    assert.ok(warnings.some((warning) => /truncated/.test(warning)), warnings.join('; '));
  });

  it('skips garbage lines (binary bytes) with warnings and keeps the packages around them', async () => {
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x0a]);
    const content = Buffer.concat([Buffer.from(status('before')), garbage, Buffer.from(`\n${status('after')}`)]);
    const result = await dpkgCataloger.parse({ path: '/var/lib/dpkg/status', content, mode: 0o644, layerDiffId: 'sha256:0' });
    assert.deepEqual(result.packages.map((pkg) => pkg.name), ['before', 'after']);
    assert.ok((result.warnings ?? []).length >= 2);
  });

  it('makes a file of nothing but garbage an unknown (the parser throws a short reason)', async () => {
    const content = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    await assert.rejects(async () => dpkgCataloger.parse({ path: '/var/lib/dpkg/status', content, mode: 0o644, layerDiffId: 'sha256:0' }), /not a dpkg status file/);
  });

  it('skips a gigantic paragraph, bounded, and keeps the others', () => {
    const huge = `Package: huge\nStatus: install ok installed\nVersion: 1\nDescription: x\n${' filler line of a description\n'.repeat(100_000)}`;
    const text = `${status('small')}\n${huge}\n${status('also-small')}`;
    const started = performance.now();
    const { packages, warnings } = parseDpkgStatus(text, false);
    assert.ok(performance.now() - started < 2000, 'linear time');
    assert.deepEqual(packages.map((pkg) => pkg.name), ['small', 'also-small']);
    assert.ok(warnings.some((warning) => /paragraph longer than/.test(warning)));
  });

  it('keeps warnings bounded however many paragraphs are bad', () => {
    const text = 'Package: bad name\nVersion: 1\n\n'.repeat(10_000);
    const { packages, warnings } = parseDpkgStatus(text, true);
    assert.equal(packages.length, 0);
    assert.ok(warnings.length <= 102, `${warnings.length} warnings`);
    assert.match(warnings.at(-1)!, /more warnings/);
  });
});
