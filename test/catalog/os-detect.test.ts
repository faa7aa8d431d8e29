// Distribution detection from each kind of release file, and end of life from the data file.
// Release file texts are those the distributions ship (quoted in each case); the Alpine minirootfs
// fixture's own files are read from disk.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectDistro } from '../../src/catalog/os/detect.ts';
import { distroNamespace } from '../../src/match/namespaces.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { FIXTURE_CASES } from './os-package-cases.ts';

const reader = (files: Record<string, string>) => (path: string) => files[path];
const pick = (files: Record<string, string>) => {
  const distro = detectDistro(reader(files), new Date('2024-01-01T00:00:00Z'));
  return distro && { id: distro.id, versionId: distro.versionId, codename: distro.codename };
};

interface EndOfLifeTable { distros: Record<string, { source: string; releases: Record<string, { eol: string | null; codename?: string }> }> }
const TABLE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src/catalog/os/data/end-of-life.json'), 'utf8')) as EndOfLifeTable;

describe('distribution detection', () => {
  it('reads os-release first, from /usr/lib/os-release when /etc has none', () => {
    const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
    assert.deepEqual(pick({ '/usr/lib/os-release': osRelease, '/etc/debian_version': '12.5\n' }), { id: 'debian', versionId: '12', codename: 'bookworm' });
    // Debian 8's os-release has no VERSION_CODENAME, only VERSION="8 (jessie)".
    assert.deepEqual(pick({ '/etc/os-release': 'ID=debian\nVERSION_ID="8"\nVERSION="8 (jessie)"\n' }), { id: 'debian', versionId: '8', codename: 'jessie' });
  });

  it('reads the Alpine minirootfs fixture (os-release, and alpine-release alone)', () => {
    const rootfs = join(FIXTURE_CASES, 'apk/alpine-3.20.3-x86_64-minirootfs/rootfs');
    const alpineRelease = readFileSync(join(rootfs, 'etc/alpine-release'), 'utf8');
    const osRelease = readFileSync(join(rootfs, 'etc/os-release'), 'utf8');
    const version = alpineRelease.trim();
    assert.deepEqual(pick({ '/etc/os-release': osRelease }), { id: 'alpine', versionId: version, codename: undefined });
    assert.deepEqual(pick({ '/etc/alpine-release': alpineRelease }), { id: 'alpine', versionId: version, codename: undefined });
  });

  it('gives Debian\'s codename when only debian_version exists', () => {
    assert.deepEqual(pick({ '/etc/debian_version': '11.7\n' }), { id: 'debian', versionId: '11', codename: 'bullseye' });
    assert.deepEqual(pick({ '/etc/debian_version': '10.13\n' }), { id: 'debian', versionId: '10', codename: 'buster' });
    assert.deepEqual(pick({ '/etc/debian_version': '7.11\n' }), { id: 'debian', versionId: '7', codename: 'wheezy' });
    // Testing and unstable write the coming release's codename.
    assert.deepEqual(pick({ '/etc/debian_version': 'bookworm/sid\n' }), { id: 'debian', versionId: undefined, codename: 'bookworm' });
  });

  it('reads the Red Hat family\'s release files, with os-release ids', () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ '/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n', '/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' }, 'centos', '7.9.2009'],
      [{ '/etc/redhat-release': 'CentOS Stream release 9\n' }, 'centos', '9'],
      [{ '/etc/rocky-release': 'Rocky Linux release 9.3 (Blue Onyx)\n' }, 'rocky', '9.3'],
      [{ '/etc/almalinux-release': 'AlmaLinux release 8.9 (Midnight Oncilla)\n' }, 'almalinux', '8.9'],
      [{ '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n' }, 'rhel', '7.9'],
      [{ '/etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n' }, 'rhel', '8.9'],
      [{ '/etc/oracle-release': 'Oracle Linux Server release 8.9\n' }, 'ol', '8.9'],
      [{ '/etc/fedora-release': 'Fedora release 39 (Thirty Nine)\n' }, 'fedora', '39'],
      [{ '/etc/system-release': 'Amazon Linux release 2 (Karoo)\n' }, 'amzn', '2'],
      [{ '/etc/system-release': 'Amazon Linux release 2023 (Amazon Linux)\n' }, 'amzn', '2023'],
      [{ '/etc/system-release': 'Amazon Linux AMI release 2018.03\n' }, 'amzn', '2018.03'],
    ];
    for (const [files, id, versionId] of cases) assert.deepEqual(pick(files), { id, versionId, codename: undefined }, Object.values(files)[0]);
  });

  it('reads Ubuntu\'s lsb-release', () => {
    const lsb = 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n';
    assert.deepEqual(pick({ '/etc/lsb-release': lsb }), { id: 'ubuntu', versionId: '22.04', codename: 'jammy' });
  });

  it('finds nothing in an image without release files, or with unreadable ones', () => {
    assert.equal(pick({}), undefined);
    assert.equal(pick({ '/etc/os-release': 'garbage\u0000\n', '/etc/debian_version': '\u0000\u0001' }), undefined);
  });
});

describe('end of life', () => {
  const debian11 = { '/etc/os-release': 'ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n' };
  const date = (distro: string, release: string) => TABLE.distros[distro]!.releases[release]!.eol!;

  it('gives the date of the release from the data file, judged against the clock passed in', () => {
    const eol = date('debian', '11');
    const before = detectDistro(reader(debian11), new Date(`${eol}T12:00:00Z`))!;
    const after = detectDistro(reader(debian11), new Date(Date.parse(`${eol}T00:00:00Z`) + 36 * 3600 * 1000))!;
    assert.deepEqual(before.endOfLife, { date: eol, ended: false, source: TABLE.distros.debian!.source });
    assert.deepEqual(after.endOfLife, { date: eol, ended: true, source: TABLE.distros.debian!.source });
  });

  it('matches point releases to their branch (11.7 → 11, 3.20.3 → 3.20, 7.9.2009 → 7) and knows edge never ends', () => {
    const now = new Date('2020-01-01T00:00:00Z');
    assert.equal(detectDistro(reader({ '/etc/debian_version': '11.7\n' }), now)!.endOfLife?.date, date('debian', '11'));
    assert.equal(detectDistro(reader({ '/etc/alpine-release': '3.20.3\n' }), now)!.endOfLife?.date, date('alpine', '3.20'));
    assert.equal(detectDistro(reader({ '/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' }), now)!.endOfLife?.date, date('centos', '7'));
    assert.equal(detectDistro(reader({ '/etc/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\n' }), now)!.endOfLife?.date, date('ubuntu', '22.04'));
    const edge = detectDistro(reader({ '/etc/os-release': 'ID=alpine\nVERSION_ID=3.21_alpha20240807\nPRETTY_NAME="Alpine Linux edge"\n' }), new Date('2100-01-01'))!;
    assert.deepEqual(edge.endOfLife, { ended: false, source: TABLE.distros.alpine!.source });
  });

  it('says nothing for a release the data does not know', () => {
    assert.equal(detectDistro(reader({ '/etc/os-release': 'ID=plan9\nVERSION_ID=4\n' }))!.endOfLife, undefined);
    assert.equal(detectDistro(reader({ '/etc/os-release': 'ID=debian\nVERSION_ID=99\n' }))!.endOfLife, undefined);
  });

  it('covers the releases the issue asks for, each with a valid date and a source', () => {
    const required: Record<string, string[]> = {
      debian: ['7', '8', '9', '10', '11', '12', '13'],
      ubuntu: ['18.04', '20.04', '22.04', '24.04', '24.10', '25.04'],
      alpine: ['3.10', '3.11', '3.12', '3.13', '3.14', '3.15', '3.16', '3.17', '3.18', '3.19', '3.20', '3.21', 'edge'],
      rhel: ['7', '8', '9'], centos: ['7', '8', '9'], rocky: ['8', '9'], almalinux: ['8', '9'], amzn: ['2', '2023'],
      ol: ['7', '8', '9'], sles: ['15.3', '15.4', '15.5', '15.6'], 'opensuse-leap': ['15.5', '15.6'], mariner: ['1.0', '2.0'],
    };
    for (const [distro, releases] of Object.entries(required)) {
      const entry = TABLE.distros[distro];
      assert.ok(entry && entry.source.length > 0, `${distro} has a source`);
      for (const release of releases) {
        const eol = entry.releases[release]?.eol;
        assert.ok(eol === null ? release === 'edge' : /^\d{4}-\d{2}-\d{2}$/.test(eol ?? '') && !Number.isNaN(Date.parse(eol!)), `${distro} ${release}: ${eol}`);
      }
    }
  });

  // os-release as each distribution's images ship it (ID and VERSION_ID lines), and the advisory namespace its feed
  // writes (the feeds' own documentation: docs/distributions.md).
  it('recognises every distribution the feeds cover, with the namespace its advisories are stored under and its end of life', () => {
    const cases: [osRelease: string, id: string, namespace: string, ended?: boolean][] = [
      ['ID=debian\nVERSION_ID="12"\n', 'debian', 'debian:12', false],
      ['ID=ubuntu\nVERSION_ID="22.04"\n', 'ubuntu', 'ubuntu:22.04', false],
      ['ID=alpine\nVERSION_ID=3.18.4\n', 'alpine', 'alpine:3.18', false],
      ['ID="rhel"\nVERSION_ID="9.3"\n', 'rhel', 'rhel:9', false],
      ['ID="centos"\nVERSION_ID="7"\n', 'centos', 'rhel:7', false],
      ['ID="rocky"\nVERSION_ID="9.3"\n', 'rocky', 'rocky:9', false],
      ['ID="almalinux"\nVERSION_ID="8.9"\n', 'almalinux', 'almalinux:8', false],
      ['ID="ol"\nVERSION_ID="8.9"\n', 'ol', 'oracle:8', false],
      ['ID="amzn"\nVERSION_ID="2"\n', 'amzn', 'amazon:2', false],
      ['ID="amzn"\nVERSION_ID="2023"\n', 'amzn', 'amazon:2023', false],
      ['ID="amzn"\nVERSION_ID="2018.03"\n', 'amzn', 'amazon:2018', true],
      ['ID="sles"\nVERSION_ID="15.3"\n', 'sles', 'suse:15.3', true],
      ['ID="opensuse-leap"\nVERSION_ID="15.5"\n', 'opensuse-leap', 'opensuse:15.5', false],
      ['ID=mariner\nVERSION_ID="2.0"\n', 'mariner', 'mariner:2.0', false],
      ['ID=azurelinux\nVERSION_ID="3.0"\n', 'azurelinux', 'azurelinux:3.0'],
      ['ID=photon\nVERSION_ID=4.0\n', 'photon', 'photon:4.0'],
      ['ID=wolfi\nVERSION_ID=20230201\n', 'wolfi', 'wolfi'],
      ['ID=chainguard\nVERSION_ID=20230214\n', 'chainguard', 'chainguard'],
    ];
    for (const [osRelease, id, namespace, ended] of cases) {
      const distro = detectDistro(reader({ '/etc/os-release': osRelease }), new Date('2024-01-01T00:00:00Z'));
      assert.equal(distro?.id, id, osRelease);
      assert.equal(distroNamespace(distro), namespace, osRelease);
      assert.equal(distro.endOfLife?.ended, ended, `${osRelease}: end of life`);
    }
  });
});
