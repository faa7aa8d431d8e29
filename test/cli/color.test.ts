// --color auto|always|never and NO_COLOR (https://no-color.org), decided in one place (useColor)
// for every command that colours its output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useColor } from '../../src/cli/context.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { FIXTURE_OCI } from '../helpers/fixtures.ts';
import { collector, CLEAN_ENV, runInProcess } from './config-helpers.ts';

const ESCAPE = '\u001b[';

describe('colour', () => {
  it('useColor: always and never decide; auto colours a terminal unless NO_COLOR is set to something', () => {
    const terminal = collector(true);
    const pipe = collector(false);
    assert.equal(useColor(pipe, 'always', {}), true);
    assert.equal(useColor(terminal, 'never', {}), false);
    assert.equal(useColor(terminal, 'auto', {}), true);
    assert.equal(useColor(pipe, 'auto', {}), false);
    assert.equal(useColor(terminal, 'auto', { NO_COLOR: '1' }), false);
    assert.equal(useColor(terminal, 'auto', { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
    assert.equal(useColor(terminal, 'always', { NO_COLOR: '1' }), true, 'the flag wins over the environment');
  });

  it('quickview and cves on a terminal: coloured with auto or always, plain with never, NO_COLOR or a pipe', async () => {
    const dataDir = fixtureDatabase();
    const image = `oci-dir://${FIXTURE_OCI}`;
    const env = { ...CLEAN_ENV, SPYGLASS_CONFIG: '/nonexistent/spyglass-config.yaml' };
    for (const command of [['quickview', image, '--ref', 'app-bookworm'], ['cves', image, '--ref', 'app-bookworm']]) {
      const run = async (flags: string[], extra: Record<string, string> = {}, tty = true) => {
        const result = await runInProcess(['--data-dir', dataDir, ...flags, ...command], { ...env, ...extra }, { tty });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout.includes(ESCAPE);
      };
      const name = command[0];
      assert.equal(await run([]), true, `${name}: auto on a terminal`);
      assert.equal(await run(['--color', 'never']), false, `${name}: never`);
      assert.equal(await run([], { NO_COLOR: '1' }), false, `${name}: NO_COLOR`);
      assert.equal(await run(['--color', 'always'], { NO_COLOR: '1' }), true, `${name}: always beats NO_COLOR`);
      assert.equal(await run([], {}, false), false, `${name}: auto into a pipe`);
      assert.equal(await run(['--color', 'always'], {}, false), true, `${name}: always into a pipe`);
    }
  });

  it('a --color value other than auto, always, never is refused', async () => {
    const result = await runInProcess(['--color', 'yes', 'cache', 'df'], { ...CLEAN_ENV, SPYGLASS_CONFIG: '/nonexistent/spyglass-config.yaml' });
    assert.deepEqual(result, { status: 1, stdout: '', stderr: 'spyglass: --color yes: expected one of auto, always, never\n' });
  });
});
