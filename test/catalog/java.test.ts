import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FoundPackage } from '../../src/catalog/cataloger.ts';
import { javaArchiveCataloger, parseJavaArchive } from '../../src/catalog/java/archive.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { buildZip, pomProperties } from './java-archives.ts';

const CASE = join(SHARED, 'data/fixtures/java-jar/trivy-jars');
const LIB = join(CASE, 'rootfs/opt/app/lib');

interface ReferenceArchive {
  archive: string;
  pom_properties: unknown[];
  manifest: Record<string, string>;
  nested: ReferenceArchive[];
}

function catalogLib(): FoundPackage[] {
  return readdirSync(LIB).sort().flatMap((name) => parseJavaArchive({ path: `/opt/app/lib/${name}`, content: readFileSync(join(LIB, name)) }).packages);
}

describe('Java archives: the trivy-jars fixture', () => {
  it('gives every pom.properties declaration of EXPECTED.json, nested jars included', () => {
    const expected = JSON.parse(readFileSync(join(CASE, 'EXPECTED.json'), 'utf8')) as { count: number; packages: { archive: string; groupId: string; artifactId: string; version: string }[] };
    const fromPoms = catalogLib().filter((pkg) => pkg.metadata?.source === 'pom.properties');
    const key = (archive: string, group: string, artifact: string, version: string) => `${archive} ${group}:${artifact}@${version}`;
    assert.equal(fromPoms.length, expected.count);
    assert.deepEqual(
      fromPoms.map((pkg) => key(pkg.metadata!.archive!.slice(1), pkg.metadata!.groupId!, pkg.metadata!.artifactId!, pkg.version)).sort(),
      expected.packages.map((pkg) => key(pkg.archive, pkg.groupId, pkg.artifactId, pkg.version)).sort(),
    );
    for (const pkg of fromPoms) {
      assert.equal(pkg.type, 'maven');
      assert.equal(pkg.name, `${pkg.metadata!.groupId}:${pkg.metadata!.artifactId}`);
    }
  });

  it('names an archive without pom.properties from its manifest, else its file name (as syft does)', () => {
    const reference = JSON.parse(readFileSync(join(CASE, 'JAR-METADATA-REFERENCE.json'), 'utf8')) as { archives: ReferenceArchive[] };
    const withoutPoms = reference.archives.filter((archive) => archive.pom_properties.length === 0);
    const fallbacks = catalogLib().filter((pkg) => pkg.metadata?.source !== 'pom.properties');
    assert.deepEqual(fallbacks.map((pkg) => pkg.metadata!.archive!.slice(1)).sort(), withoutPoms.map((archive) => archive.archive).sort());
    for (const archive of withoutPoms) {
      const pkg = fallbacks.find((candidate) => candidate.metadata!.archive === `/${archive.archive}`)!;
      const fileVersion = /-(\d[^/]*)\.jar$/.exec(archive.archive)?.[1];
      assert.equal(pkg.version, fileVersion ?? archive.manifest['Implementation-Version'], archive.archive);
      if (archive.manifest['Implementation-Vendor-Id']) assert.equal(pkg.metadata!.groupId, archive.manifest['Implementation-Vendor-Id']);
    }
  });

  it('links nested archives to the archive that holds them', () => {
    const { packages } = parseJavaArchive({ path: '/opt/app/lib/nested.jar', content: readFileSync(join(LIB, 'nested.jar')) });
    assert.deepEqual(packages.map((pkg) => [pkg.name, pkg.parentIndex ?? null]), [['test:nested', null], ['test:nested2', 0], ['test:nested3', 1]]);
  });

  it('wants Java archives by extension only', () => {
    for (const path of ['/a.jar', '/a.WAR', '/a.ear', '/a.jpi', '/a.hpi']) assert.equal(javaArchiveCataloger.wants(path, { size: 1, mode: 0o644 }), true);
    assert.equal(javaArchiveCataloger.wants('/a.zip', { size: 1, mode: 0o644 }), false);
  });
});

describe('Java archives: bad input', () => {
  it('a garbage or truncated jar is a short error (an unknown)', () => {
    assert.throws(() => parseJavaArchive({ path: '/x.jar', content: Buffer.from('PK\x03\x04 definitely not a jar'.repeat(20)) }), /^Error: not a zip archive: no end of central directory$/);
    const good = readFileSync(join(LIB, 'multi-license-1.0.0.jar'));
    assert.throws(() => parseJavaArchive({ path: '/x.jar', content: good.subarray(0, good.length - 30) }), /^Error: (not a zip archive|zip: )/);
    assert.throws(() => parseJavaArchive({ path: '/x.jar', content: good.subarray(0, good.length / 2) }), /^Error: (not a zip archive|zip: )/);
  });

  it('a zip bomb is capped before and while inflating, recorded, and the rest still read', () => {
    // An entry declaring 1000 bytes whose 256 KiB of deflate data expand to 256 MiB: inflation stops at the declared size.
    const zeros = buildZip([{ name: 'lib/lies.jar', data: Buffer.alloc(256 * 1024 * 1024), declaredSize: 1000 }, pomProperties('org.example', 'app', '1.0')]);
    const started = process.hrtime.bigint();
    const result = parseJavaArchive({ path: '/bomb.jar', content: zeros });
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 2, 'bounded in time');
    assert.deepEqual(result.packages.map((pkg) => pkg.name), ['org.example:app']);
    assert.match(result.warnings!.join('\n'), /lib\/lies\.jar.*inflates past its declared 1000 bytes/);

    // An entry declaring 4 GiB is refused before any inflating.
    const bomb = buildZip([
      pomProperties('org.example', 'app', '1.0'),
      { name: 'lib/huge.jar', data: 'x', declaredSize: 0xfffffff0 },
      pomProperties('org.example', 'other', '2.0'),
    ]);
    const declared = parseJavaArchive({ path: '/bomb.jar', content: bomb });
    assert.deepEqual(declared.packages.map((pkg) => pkg.name), ['org.example:app', 'org.example:other']);
    assert.match(declared.warnings!.join('\n'), /lib\/huge\.jar.*declares 4294967280 bytes, over the \d+ byte cap/);
  });

  it('stops nesting at depth 3', () => {
    let jar = buildZip([pomProperties('g', 'level3', '1')]);
    for (const level of [2, 1, 0]) jar = buildZip([pomProperties('g', `level${level}`, '1'), { name: `lib/level${level + 1}.jar`, data: jar }]);
    const result = parseJavaArchive({ path: '/level0.jar', content: jar });
    assert.deepEqual(result.packages.map((pkg) => pkg.name), ['g:level0', 'g:level1', 'g:level2']);
    assert.match(result.warnings!.join('\n'), /level3\.jar: nested deeper than 3 archives, not read/);
  });
});
