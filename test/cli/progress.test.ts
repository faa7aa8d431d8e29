import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, terminalProgress, wantsProgress } from '../../src/cli/progress.ts';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = { isTTY, text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('pull progress', () => {
  it('is drawn only on a terminal, without --quiet, outside CI', () => {
    assert.equal(wantsProgress(false, fakeStream(true), {}), true);
    assert.equal(wantsProgress(true, fakeStream(true), {}), false);
    assert.equal(wantsProgress(false, fakeStream(false), {}), false);
    assert.equal(wantsProgress(false, fakeStream(true), { CI: 'true' }), false);
  });

  it('draws one line per layer and redraws them in place', () => {
    const stream = fakeStream(true);
    const progress = terminalProgress(stream);
    progress.start('sha256:aa', 'aaaaaaaaaaaa', 2_000_000);
    progress.start('sha256:bb', 'bbbbbbbbbbbb', 500);
    progress.advance('sha256:aa', 1_000_000);
    progress.done('sha256:bb');
    const screen = stream.text.split('\x1b[2A').at(-1)!;
    assert.equal(screen, '\x1b[2Kaaaaaaaaaaaa: Downloading 1.0 MB / 2.0 MB\n\x1b[2Kbbbbbbbbbbbb: Pull complete\n');
  });

  it('formats sizes in decimal units as docker does', () => {
    assert.equal(formatBytes(231), '231 B');
    assert.equal(formatBytes(1010), '1.0 kB');
    assert.equal(formatBytes(127_680), '128 kB');
    assert.equal(formatBytes(28_404_916), '28 MB');
    assert.equal(formatBytes(2_289_190), '2.3 MB');
  });
});
