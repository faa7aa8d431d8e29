import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseLicense, normaliseLicenses } from '../../src/catalog/license.ts';

describe('licence normalisation to SPDX', () => {
  it('keeps valid SPDX expressions exactly as declared (https://spdx.org/licenses/)', () => {
    for (const expression of ['MIT', 'Apache-2.0', 'GPL-2.0', 'GPL-2.0-or-later', 'MIT OR Apache-2.0', '(MIT AND BSD-3-Clause)', 'Apache-2.0 WITH LLVM-exception', 'LicenseRef-Proprietary']) {
      assert.equal(normaliseLicense(expression), expression);
    }
    assert.equal(normaliseLicense('  ISC \n'), 'ISC');
  });

  it('corrects the common spellings to SPDX identifiers', () => {
    assert.equal(normaliseLicense('Apache 2.0'), 'Apache-2.0');
    assert.equal(normaliseLicense('Apache License, Version 2.0'), 'Apache-2.0');
    assert.equal(normaliseLicense('MIT License'), 'MIT');
    assert.equal(normaliseLicense('GNU General Public License v2 (GPLv2)'), 'GPL-2.0-only');
  });

  it('keeps unrecognised text as declared, and drops placeholders that declare nothing', () => {
    assert.equal(normaliseLicense('Public Domain'), 'Public Domain');
    assert.equal(normaliseLicense('Dual License'), 'Dual License');
    const body = 'Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files';
    assert.equal(normaliseLicense(body), body);
    for (const placeholder of ['', '  ', 'UNKNOWN', 'none', 'n/a']) assert.equal(normaliseLicense(placeholder), undefined, placeholder);
  });

  it('normalises a list without blanks or repeats, in declared order', () => {
    assert.deepEqual(normaliseLicenses(['MIT License', 'UNKNOWN', 'Apache 2.0', 'MIT']), ['MIT', 'Apache-2.0']);
    assert.deepEqual(normaliseLicenses([]), []);
  });
});
