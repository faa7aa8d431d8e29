// A hand-written Sbom that exercises every field the formats carry: a Debian package with its source
// package and a licence list mixing SPDX ids and free text, a scoped npm root package with a compound
// expression, a Go binary that contains a module, a Python package owned by a Debian package.
import type { Sbom } from '../../src/core/sbom.ts';

const BASE = 'sha256:a06009e1991d31920dd85e4f5929adf42e2b9d34020d6b13d2dd2e389036eb86';
const APP = 'sha256:6d40cad39ce959f898095edd986ce84d4bc088cc87188dbed0045fa574b428aa';

export function sampleSbom(): Sbom {
  return {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: '0.1.0' },
    createdAt: '2024-05-01T10:20:30.123Z',
    source: {
      input: 'archive://app.tar',
      names: ['demo/app:1.0'],
      configDigest: 'sha256:ad49464a37e203430c64f9107b958b48222dd84e59dcb9394915ff7c0fafb408',
      manifestDigest: 'sha256:6f96c2613841b5a2acb91bf8a26d81cce20642eb22f1d463e3d4d02892f9bbe0',
      platform: 'linux/amd64',
      layers: [
        { digest: 'sha256:3783375082c49464b1bed1a5dbc6aaec8f5f6a20ccc45a6c36090e75dff40bb0', diffId: BASE, size: 26556952, createdBy: 'ADD rootfs.tar.xz /' },
        { digest: 'sha256:091709ea100cbd744e686229a0bf3b05a716a6a3a2099ef9516a7467477ee702', diffId: APP, size: 4702457 },
      ],
      annotations: {},
    },
    distro: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [
      {
        id: 'deb:libssl3@3.0.11-1~deb12u2:/var/lib/dpkg/status',
        type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
        licenses: ['Apache-2.0', 'GPL-2+ with OpenSSL exception', 'MIT OR BSD-3-Clause'],
        locations: [{ path: '/var/lib/dpkg/status', layerDiffId: BASE }],
        introducedLayerDiffId: BASE,
        files: ['/usr/lib/x86_64-linux-gnu/libssl.so.3'],
      },
      {
        id: 'deb:python3-six@1.16.0-4:/var/lib/dpkg/status',
        type: 'deb', name: 'python3-six', version: '1.16.0-4', arch: 'all', sourceName: 'six',
        purl: 'pkg:deb/debian/python3-six@1.16.0-4?arch=all&distro=debian-12&upstream=six',
        licenses: [],
        locations: [{ path: '/var/lib/dpkg/status', layerDiffId: BASE }],
        introducedLayerDiffId: BASE,
      },
      {
        id: 'golang:github.com/evanw/esbuild@(devel):/app/bin/esbuild',
        type: 'golang', name: 'github.com/evanw/esbuild', version: '(devel)',
        purl: 'pkg:golang/github.com/evanw/esbuild',
        licenses: [],
        locations: [{ path: '/app/bin/esbuild', layerDiffId: APP }],
        root: true,
        metadata: { 'vcs.revision': 'abc123', 'vcs.modified': 'false' },
      },
      {
        id: 'golang:golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8:/app/bin/esbuild',
        type: 'golang', name: 'golang.org/x/sys', version: 'v0.0.0-20220715151400-c0bba94af5f8',
        purl: 'pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8',
        licenses: [],
        locations: [{ path: '/app/bin/esbuild', layerDiffId: APP }],
        parent: 'golang:github.com/evanw/esbuild@(devel):/app/bin/esbuild',
      },
      {
        id: 'npm:@babel/core@7.22.5:/app/node_modules/@babel/core/package.json',
        type: 'npm', name: '@babel/core', version: '7.22.5',
        purl: 'pkg:npm/%40babel/core@7.22.5',
        licenses: ['(MIT AND ISC)'],
        locations: [
          { path: '/app/node_modules/@babel/core/package.json', layerDiffId: APP },
          { path: '/app/package-lock.json', layerDiffId: APP },
        ],
      },
      {
        id: 'npm:app@1.0.0:/app/package.json',
        type: 'npm', name: 'app', version: '1.0.0',
        purl: 'pkg:npm/app@1.0.0',
        licenses: ['MIT AND Apache-2.0'],
        locations: [{ path: '/app/package.json', layerDiffId: APP }],
        root: true,
      },
      {
        id: 'pypi:six@1.16.0:/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
        type: 'pypi', name: 'six', version: '1.16.0',
        purl: 'pkg:pypi/six@1.16.0',
        licenses: ['MIT'],
        locations: [{ path: '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', layerDiffId: BASE }],
        ownedBy: 'deb:python3-six@1.16.0-4:/var/lib/dpkg/status',
      },
    ],
    relationships: [
      { from: 'golang:github.com/evanw/esbuild@(devel):/app/bin/esbuild', to: 'golang:golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8:/app/bin/esbuild', kind: 'contains' },
      { from: 'deb:python3-six@1.16.0-4:/var/lib/dpkg/status', to: 'pypi:six@1.16.0:/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', kind: 'owns' },
      { from: 'npm:app@1.0.0:/app/package.json', to: 'npm:@babel/core@7.22.5:/app/node_modules/@babel/core/package.json', kind: 'depends-on' },
    ],
    unknowns: [{ path: '/app/broken/package.json', layerDiffId: APP, cataloger: 'npm', reason: 'not valid JSON' }],
    catalogers: ['dpkg@1', 'npm@1', 'golang-binary@1', 'python@1'],
  };
}
