// The severity rule (docs/severity.md): CVSS scoring against FIRST's published example scores, the score bands at
// every boundary, the preferred advisory per package type with its fallback CVSS, and invalid input. Findings
// built from real records of the fixture database are in real-records.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SeverityEntry } from '../../src/advisories/model.ts';
import type { Finding, SourceView } from '../../src/core/finding.ts';
import type { PackageType } from '../../src/core/package.ts';
import { levelOfRating, levelOfScore, rate, rateFindings, scoreVector } from '../../src/severity/rate.ts';

// FIRST, "Common Vulnerability Scoring System v3.1: Examples" (https://www.first.org/cvss/v3.1/examples): each
// example's vector and base score. The v3.0 examples document gives the same vectors the same scores.
const V31_EXAMPLES: [string, string, number][] = [
  ['CVE-2013-1937 phpMyAdmin reflected XSS', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
  ['CVE-2013-0375 MySQL stored SQL injection', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
  ['CVE-2014-3566 SSLv3 POODLE', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
  ['CVE-2012-1516 VMware guest to host escape', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
  ['CVE-2009-0783 Apache Tomcat XML parser', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
  ['CVE-2012-0384 Cisco IOS arbitrary command execution', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
  ['CVE-2015-1098 Apple iWork denial of service', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
  ['CVE-2014-0160 OpenSSL Heartbleed', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
  ['CVE-2014-6271 Bash Shellshock', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVE-2008-1447 DNS Kaminsky bug', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
  ['CVE-2014-2005 Sophos login screen bypass', 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8],
  ['CVE-2013-6014 Juniper proxy ARP denial of service', 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H', 9.3],
  ['CVE-2014-2019 Apple iOS security control bypass', 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 4.6],
  ['CVE-2014-0224 SSL/TLS MITM', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
  ['CVE-2012-5376 Google Chrome sandbox bypass', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6],
];

// FIRST, "A Complete Guide to the Common Vulnerability Scoring System Version 2.0", §3.3 Examples
// (https://www.first.org/cvss/v2/guide#3-3-Examples): the base vectors and base scores.
const V2_EXAMPLES: [string, string, number][] = [
  ['§3.3.1 CVE-2002-0392 Apache chunked encoding', 'AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8],
  ['§3.3.2 CVE-2003-0818 Windows ASN.1', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0],
  ['§3.3.3 CVE-2003-0062 NOD32 buffer overflow', 'AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2],
];

// FIRST, "Common Vulnerability Scoring System Version 4.0: Examples" (https://www.first.org/cvss/v4.0/examples):
// examples scored on base metrics alone (CVSS-B).
const V40_EXAMPLES: [string, number][] = [
  ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.1],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 9.4],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 7.1],
  ['CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 5.4],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
];

const SHELLSHOCK = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8 (FIRST v3.1 examples)
const HEARTBLEED = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'; // 7.5
const POODLE = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N'; // 3.1
const XSS_V30 = 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'; // 6.1 (FIRST v3.0 examples, CVE-2013-1937)
const NOD32_V2 = 'AV:L/AC:H/Au:N/C:C/I:C/A:C'; // 6.2 (v2 guide §3.3.3)
const V40_93 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'; // 9.3 (FIRST v4.0 examples)

function view(source: string, id: string, severity: SeverityEntry[] = [], urgency?: string): SourceView {
  return { source, id, aliases: [], severity, references: [], ...(urgency !== undefined ? { urgency } : {}) };
}

/** A finding whose `matched` views are the records that matched the package (first preferred). */
function finding(sources: SourceView[], matched: SourceView[] = []): Finding {
  return {
    id: 'CVE-2099-0001',
    aliases: [],
    packageId: 'pkg',
    status: 'not-fixed',
    fixedVersions: [],
    affectedRange: 'all versions',
    matches: matched.map((record) => ({
      source: record.source,
      advisoryId: record.id,
      namespace: 'ns',
      packageName: 'pkg',
      rule: 'test',
      installedVersion: '1',
      status: 'affected',
      comparison: 'all versions',
      affectedRange: 'all versions',
      fixedVersions: [],
    })),
    sources,
  };
}

const nvd = (...severity: SeverityEntry[]) => view('nvd', 'CVE-2099-0001', severity);
const byNvd = (vector: string): SeverityEntry => ({ by: 'nvd', vector });
const rated = (sources: SourceView[], type: PackageType, matched: SourceView[] = []) => rate(finding(sources, matched), { type });

describe('scoreVector: FIRST’s published example scores', () => {
  for (const [name, vector, score] of V31_EXAMPLES) {
    it(`v3.1 ${name}: ${score}`, () => assert.deepEqual(scoreVector(vector), { score, vector, version: '3.1' }));
  }
  it('v3.0 vectors score as in FIRST’s v3.0 examples', () => {
    for (const [, vector, score] of V31_EXAMPLES) {
      const v30 = vector.replace('CVSS:3.1/', 'CVSS:3.0/');
      assert.deepEqual(scoreVector(v30), { score, vector: v30, version: '3.0' }, v30);
    }
  });
  for (const [name, vector, score] of V2_EXAMPLES) {
    it(`v2 guide ${name}: ${score}, with or without parentheses`, () => {
      assert.deepEqual(scoreVector(vector), { score, vector, version: '2.0' });
      assert.deepEqual(scoreVector(`(${vector})`), { score, vector, version: '2.0' });
    });
  }
  it('v4.0 examples scored on base metrics', () => {
    for (const [vector, score] of V40_EXAMPLES) assert.deepEqual(scoreVector(vector), { score, vector, version: '4.0' }, vector);
  });
  it('an invalid vector scores nothing and never throws', () => {
    for (const vector of [
      '',
      'not a vector',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // no A
      'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // no such value
      'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // AV twice
      'CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // no such version
      'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', // no AT
      'AV:N/AC:L/Au:N/C:C/I:C', // v2 without A
    ]) {
      assert.equal(scoreVector(vector), undefined, vector);
    }
    assert.equal(scoreVector(undefined as unknown as string), undefined);
  });
});

describe('levelOfScore: FIRST’s qualitative scale at every boundary', () => {
  const cases: [number, string][] = [
    [0, 'unspecified'], [0.1, 'low'], [3.9, 'low'], [4.0, 'medium'], [6.9, 'medium'], [7.0, 'high'],
    [8.9, 'high'], [9.0, 'critical'], [10.0, 'critical'], [-1, 'unspecified'], [10.1, 'unspecified'], [Number.NaN, 'unspecified'],
  ];
  for (const [score, level] of cases) it(`${score} → ${level}`, () => assert.equal(levelOfScore(score), level));
});

describe('rating words', () => {
  it('maps Debian urgency, GHSA, Ubuntu and vendor words; the rest rate nothing', () => {
    const cases: [string, string | undefined][] = [
      ['unimportant', 'low'], ['low', 'low'], ['medium', 'medium'], ['high', 'high'], ['low**', 'low'], ['high*', 'high'],
      ['not yet assigned', undefined], ['end-of-life', undefined],
      ['LOW', 'low'], ['MODERATE', 'medium'], ['HIGH', 'high'], ['CRITICAL', 'critical'],
      ['negligible', 'low'], ['untriaged', undefined], ['Important', 'high'], ['Moderate', 'medium'],
      ['Exploitation:none;Automatable:no;Technical Impact:partial', undefined],
    ];
    for (const [word, level] of cases) assert.equal(levelOfRating(word), level, word);
  });
});

describe('rate: OS packages, the distribution’s record first', () => {
  it('Debian urgency low with NVD’s CVSS 9.8 beside it (LOW + 9.8)', () => {
    const debian = view('debian-tracker', 'CVE-2099-0001', [], 'low');
    const rating = rated([debian, nvd(byNvd(SHELLSHOCK))], 'deb', [debian]);
    assert.deepEqual(
      { ...rating, all: undefined },
      { level: 'low', by: 'debian', rating: 'low', cvss: { score: 9.8, vector: SHELLSHOCK, version: '3.1', by: 'nvd' }, all: undefined },
    );
  });

  for (const [urgency, level] of [['unimportant', 'low'], ['medium', 'medium'], ['high', 'high']] as const) {
    it(`Debian urgency ${urgency} → ${level}`, () => {
      const debian = view('debian-tracker', 'CVE-2099-0001', [], urgency);
      const rating = rated([debian, nvd(byNvd(POODLE))], 'deb', [debian]);
      assert.equal(rating.level, level);
      assert.equal(rating.rating, urgency);
      assert.equal(rating.cvss?.score, 3.1);
    });
  }

  for (const urgency of ['not yet assigned', 'end-of-life', undefined]) {
    it(`Debian urgency ${urgency ?? 'absent'}: the level comes from NVD’s score`, () => {
      const debian = view('debian-tracker', 'CVE-2099-0001', [], urgency);
      const rating = rated([debian, nvd(byNvd(SHELLSHOCK))], 'deb', [debian]);
      assert.deepEqual({ level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss?.score }, { level: 'critical', by: 'nvd', rating: undefined, cvss: 9.8 });
    });
  }

  it('Alpine’s secdb rates nothing: the fallback score decides', () => {
    const alpine = view('alpine-secdb', 'CVE-2099-0001');
    assert.equal(rated([alpine, nvd(byNvd(HEARTBLEED))], 'apk', [alpine]).level, 'high');
  });

  it('an rpm package takes the distribution OSV record that matched it, not an unrelated one', () => {
    const alma = view('osv', 'ALSA-2099:0001', [{ by: 'alsa', rating: 'Important' }]);
    const ubuntu = view('osv', 'UBUNTU-CVE-2099-0001', [], 'negligible');
    const rating = rated([ubuntu, alma, nvd(byNvd(POODLE))], 'rpm', [alma]);
    assert.deepEqual({ level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss?.by }, { level: 'high', by: 'alsa', rating: 'Important', cvss: 'nvd' });
  });

  it('a Debian package is not rated by a GHSA record of the same CVE', () => {
    const debian = view('debian-tracker', 'CVE-2099-0001');
    const ghsa = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', rating: 'CRITICAL' }]);
    assert.equal(rated([debian, ghsa, nvd(byNvd(POODLE))], 'deb', [debian]).level, 'low');
  });
});

describe('rate: language packages, GitHub’s advisory first', () => {
  it('GHSA’s rating and vector are preferred over NVD’s for npm', () => {
    const ghsa = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', vector: POODLE }, { by: 'ghsa', rating: 'MODERATE' }]);
    const rating = rated([nvd(byNvd(SHELLSHOCK)), ghsa], 'npm', [ghsa]);
    assert.deepEqual({ ...rating, all: undefined }, { level: 'medium', by: 'ghsa', rating: 'MODERATE', cvss: { score: 3.1, vector: POODLE, version: '3.1', by: 'ghsa' }, all: undefined });
  });

  it('a GHSA rating without a vector shows NVD’s score beside it', () => {
    const ghsa = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', rating: 'LOW' }]);
    const rating = rated([ghsa, nvd(byNvd(SHELLSHOCK))], 'npm', [ghsa]);
    assert.deepEqual({ level: rating.level, rating: rating.rating, cvss: rating.cvss }, { level: 'low', rating: 'LOW', cvss: { score: 9.8, vector: SHELLSHOCK, version: '3.1', by: 'nvd' } });
  });

  it('without GHSA, the matched ecosystem record’s CVSS gives the level (PyPA)', () => {
    const pysec = view('osv', 'PYSEC-2099-1', [{ by: 'pysec', vector: HEARTBLEED }]);
    const rating = rated([pysec, nvd(byNvd(POODLE))], 'pypi', [pysec]);
    assert.deepEqual({ level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss?.score }, { level: 'high', by: 'pysec', rating: undefined, cvss: 7.5 });
  });

  it('an ecosystem record of another package (unmatched) does not speak for this one', () => {
    const pysec = view('osv', 'PYSEC-2099-1', [{ by: 'pysec', vector: HEARTBLEED }]);
    const go = view('osv', 'GO-2099-0001');
    assert.equal(rated([go, pysec, nvd(byNvd(POODLE))], 'golang', [go]).cvss?.by, 'nvd');
  });

  it('RubySec’s scores (no vector) count for gems, the newest CVSS version first', () => {
    const rubysec = view('rubysec', 'gems/x/CVE-2099-0001', [{ by: 'rubysec', cvssVersion: '2.0', score: 9.3 }, { by: 'rubysec', cvssVersion: '3.0', score: 5.3 }]);
    assert.deepEqual(rated([rubysec], 'gem', [rubysec]).cvss, { score: 5.3, vector: '', version: '3.0', by: 'rubysec' });
  });
});

describe('rate: which CVSS', () => {
  it('prefers the newest version that scores: 4.0 > 3.1 > 3.0 > 2.0', () => {
    assert.equal(rated([nvd(byNvd(NOD32_V2), byNvd(POODLE))], 'deb').cvss?.version, '3.1');
    assert.equal(rated([nvd(byNvd(XSS_V30), byNvd(NOD32_V2))], 'deb').cvss?.version, '3.0');
    const v4 = rated([nvd(byNvd(POODLE), byNvd(V40_93))], 'deb');
    assert.deepEqual({ level: v4.level, cvss: v4.cvss }, { level: 'critical', cvss: { score: 9.3, vector: V40_93, version: '4.0', by: 'nvd' } });
  });

  it('skips an invalid newer vector for a valid older one', () => {
    const rating = rated([nvd(byNvd('CVSS:4.0/AV:N/broken'), byNvd(NOD32_V2))], 'deb');
    assert.deepEqual(rating.cvss, { score: 6.2, vector: NOD32_V2, version: '2.0', by: 'nvd' });
    assert.equal(rating.level, 'medium');
  });

  it('falls back NVD → CISA ADP → CNA → any other source', () => {
    const adp = view('vulnrichment', 'CVE-2099-0001', [{ by: 'GitHub_M', vector: POODLE }, { by: 'cisa-adp', vector: HEARTBLEED }]);
    const secondary = nvd({ by: 'secalert@redhat.com', vector: XSS_V30 });
    const other = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', vector: V40_93 }]);
    assert.equal(rated([other, adp, nvd(byNvd(SHELLSHOCK))], 'deb').cvss?.by, 'nvd');
    assert.equal(rated([other, secondary, adp], 'deb').cvss?.by, 'cisa-adp');
    assert.equal(rated([other, secondary], 'deb').cvss?.by, 'secalert@redhat.com');
    assert.equal(rated([other], 'deb').cvss?.by, 'ghsa');
  });
});

describe('rate: unspecified', () => {
  it('when no source has a rating or a score that counts', () => {
    const debian = view('debian-tracker', 'CVE-2099-0001', [], 'not yet assigned');
    const ssvc = view('vulnrichment', 'CVE-2099-0001', [{ by: 'cisa-adp-ssvc', rating: 'Exploitation:none;Automatable:no;Technical Impact:partial' }]);
    const broken = nvd(byNvd('CVSS:3.1/AV:N/AC:L'), { by: 'nvd', cvssVersion: '3.1', score: 42 });
    const rating = rated([debian, ssvc, broken], 'deb', [debian]);
    assert.equal(rating.level, 'unspecified');
    assert.equal(rating.by, undefined);
    assert.equal(rating.cvss, undefined);
    assert.equal(rated([], 'npm').level, 'unspecified');
  });
});

describe('Rating.all', () => {
  it('lists every urgency and severity entry with the level it alone gives; invalid vectors left out', () => {
    const debian = view('debian-tracker', 'CVE-2099-0001', [], 'unimportant');
    const ghsa = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', vector: POODLE }, { by: 'ghsa', rating: 'HIGH' }]);
    const nvdView = nvd({ by: 'nvd', vector: SHELLSHOCK, score: 9.8, rating: 'CRITICAL' }, byNvd('CVSS:3.1/broken'), { by: 'cisa-adp-ssvc', rating: 'Exploitation:none' });
    assert.deepEqual(rated([debian, ghsa, nvdView], 'deb', [debian]).all, [
      { source: 'debian-tracker', by: 'debian', level: 'low', rating: 'unimportant' },
      { source: 'osv', by: 'ghsa', level: 'low', cvss: { score: 3.1, vector: POODLE, version: '3.1' } },
      { source: 'osv', by: 'ghsa', level: 'high', rating: 'HIGH' },
      { source: 'nvd', by: 'nvd', level: 'critical', rating: 'CRITICAL', cvss: { score: 9.8, vector: SHELLSHOCK, version: '3.1' } },
      { source: 'nvd', by: 'cisa-adp-ssvc', level: 'unspecified', rating: 'Exploitation:none' },
    ]);
  });
});

describe('rateFindings', () => {
  it('sets each finding’s rating by its package type and returns the same findings', () => {
    const ghsa = view('osv', 'GHSA-aaaa-bbbb-cccc', [{ by: 'ghsa', rating: 'CRITICAL' }]);
    const debian = view('debian-tracker', 'CVE-2099-0001', [], 'low');
    const findings = [
      { ...finding([ghsa, debian], [ghsa]), packageId: 'npm-pkg' },
      { ...finding([ghsa, debian], [debian]), packageId: 'deb-pkg' },
    ];
    const types: Record<string, PackageType> = { 'npm-pkg': 'npm', 'deb-pkg': 'deb' };
    const result = rateFindings(findings, (one) => types[one.packageId]!);
    assert.equal(result, findings);
    assert.deepEqual(findings.map((one) => [one.rating?.level, one.rating?.by]), [['critical', 'ghsa'], ['low', 'debian']]);
  });
});
