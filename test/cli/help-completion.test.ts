// Every command's --help ends with examples; `spyglass completion` scripts cover the whole command
// tree and are accepted by the shells themselves; the config schema's formats are the commands' own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commandTree } from '../../src/cli/completion.ts';
import { configSchema } from '../../src/cli/config.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { collector, runInProcess, temporaryDir } from './config-helpers.ts';

const program = buildProgram({ stdout: collector(), stderr: collector() });
const commands = commandTree(program).filter((node) => node.path !== '');
const topLevel = commands.filter((node) => !node.path.includes(' ')).map((node) => node.path);

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

describe('help and completion', () => {
  let tmp: ReturnType<typeof temporaryDir>;
  before(() => {
    tmp = temporaryDir('spyglass-completion-');
  });
  after(() => tmp.remove());

  it('the tree has the commands of every register function', () => {
    for (const name of ['version', 'inspect', 'sbom', 'cves', 'quickview', 'compare', 'db', 'config', 'login', 'logout', 'completion']) assert.ok(topLevel.includes(name), name);
    assert.ok(commands.some((node) => node.path === 'admin token create'));
  });

  it('every command\'s --help has an Examples section with at least one spyglass command line', async () => {
    const missing: string[] = [];
    for (const node of commands) {
      const result = await runInProcess([...node.path.split(' '), '--help']);
      assert.equal(result.status, 0, `${node.path}: ${result.stderr}`);
      const examples = /\nExamples:\n((?: {2}.*\n?)+)/.exec(result.stdout)?.[1] ?? '';
      if (!examples.split('\n').some((line) => /\bspyglass \S/.test(line))) missing.push(node.path);
    }
    assert.deepEqual(missing, []);
  });

  it('format.<command> in docs/config.schema.json allows exactly the formats the command\'s --format lists', () => {
    const formats = configSchema().properties.format!.properties!;
    for (const [name, { enum: allowed }] of Object.entries(formats)) {
      const option = program.commands.find((command) => command.name() === name)?.options.find((candidate) => candidate.long === '--format');
      assert.ok(option, `${name} has --format`);
      assert.deepEqual([...allowed!].sort(), option.description.split(/,\s*|\s+or\s+/).sort(), name);
    }
  });

  it('bash: defines a completion function for spyglass that offers every top-level command, and bash -n accepts it', async () => {
    const script = (await runInProcess(['completion', 'bash'])).stdout;
    assert.match(script, /^_spyglass\(\) \{$/m);
    assert.match(script, /^complete -o default -F _spyglass spyglass$/m);
    const file = join(tmp.dir, 'spyglass.bash');
    writeFileSync(file, script);
    assert.equal(spawnSync('bash', ['-n', file], { encoding: 'utf8' }).stderr, '');
    // Run the function as bash's completion would, for a few command lines.
    const complete = (line: string[]) => spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${line.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _spyglass; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).sort();
    assert.deepEqual(complete(['spyglass', '']), [...topLevel].sort());
    assert.deepEqual(complete(['spyglass', 'db', 's']), ['search', 'status']);
    assert.deepEqual(complete(['spyglass', '--data-dir', 'db', 'admin', 'token', '']), ['create', 'revoke']);
    assert.deepEqual(complete(['spyglass', 'cves', 'alpine', '--exit-']), ['--exit-code']);
    assert.deepEqual(complete(['spyglass', 'cves', '']), [], 'an argument falls back to files');
  });

  it('zsh and fish: the scripts parse (skipped where the shell is absent)', async (t) => {
    for (const shell of ['zsh', 'fish'] as const) {
      const script = (await runInProcess(['completion', shell])).stdout;
      for (const name of topLevel) assert.ok(script.includes(name), `${shell} script names ${name}`);
      if (!hasShell(shell)) {
        t.diagnostic(`${shell} is not installed: its syntax check is skipped`);
        continue;
      }
      const file = join(tmp.dir, `spyglass.${shell}`);
      writeFileSync(file, script);
      const checked = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      assert.equal(checked.status, 0, checked.stderr);
      if (shell === 'fish') {
        // fish answers `complete -C LINE` with what it would offer: NAME<TAB>DESCRIPTION lines.
        const offered = (line: string) => spawnSync('fish', ['-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((row) => row.split('\t')[0]).sort();
        assert.deepEqual(offered('spyglass db s'), ['search', 'status']);
        assert.deepEqual(offered('spyglass admin token '), ['create', 'revoke']);
        assert.deepEqual(offered('spyglass cves x --exit'), ['--exit-code']);
      }
    }
  });

  it('completion of an unknown shell is refused in one line', async () => {
    assert.deepEqual(await runInProcess(['completion', 'powershell']), { status: 1, stdout: '', stderr: 'spyglass: completion powershell: expected one of bash, zsh, fish\n' });
  });
});
