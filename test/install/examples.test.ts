// The CI examples and the Dockerfile, read as their tools would read them: the YAML files parsed with a
// YAML parser and checked for the structure GitHub Actions and GitLab CI act on, the spyglass command lines
// checked against the CLI's own options, the Dockerfile's instructions read one by one (no Docker engine
// here to build it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { CVES_FORMATS } from '../../src/cli/cves.ts';
import { resolveCacheDir, resolveDataDir } from '../../src/core/dirs.ts';
import { runCli } from '../helpers/cli.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';

function readYaml(path: string): unknown {
  const document = parseDocument(readFileSync(join(PROJECT_ROOT, path), 'utf8'), { prettyErrors: true });
  assert.deepEqual(document.errors.map(String), [], path);
  assert.deepEqual(document.warnings.map(String), [], path);
  return document.toJS() as unknown;
}

/** The words of a shell command line, quotes removed (enough for the plain command lines of the examples). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** The `spyglass cves …` line of a script, as words. */
function cvesCommand(script: string): string[] {
  const line = script.split('\n').map((text) => text.trim()).find((text) => text.startsWith('spyglass cves '));
  assert.ok(line, `no spyglass cves line in:\n${script}`);
  return words(line);
}

/** The value after `flag` (or its long form) in a command line. */
function flagValue(command: string[], ...flags: string[]): string | undefined {
  const index = command.findIndex((word) => flags.includes(word));
  return index === -1 ? undefined : command[index + 1];
}

const cvesHelp = runCli(['cves', '--help']);

describe('the CI examples', () => {
  it('spyglass cves has the options the examples use', () => {
    assert.equal(cvesHelp.status, 0, cvesHelp.stderr);
    for (const option of ['--format <format>', '-o, --output <file>', '-e, --exit-code']) assert.ok(cvesHelp.stdout.includes(option), option);
    assert.ok((CVES_FORMATS as readonly string[]).includes('sarif'));
    assert.ok((CVES_FORMATS as readonly string[]).includes('gitlab'));
    // The variables the examples set are the ones spyglass reads.
    assert.equal(resolveDataDir(undefined, { SPYGLASS_DATA_DIR: '/ci/data' }), '/ci/data');
    assert.equal(resolveCacheDir(undefined, { SPYGLASS_CACHE_DIR: '/ci/cache' }), '/ci/cache');
  });

  it('GitHub Actions: a job that writes SARIF with --exit-code and uploads it even when the scan fails the job', () => {
    interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
    const workflow = readYaml('examples/github-actions.yml') as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      jobs: Record<string, { 'runs-on': string; env: Record<string, string>; steps: Step[] }>;
    };
    assert.ok('pull_request' in workflow.on && 'push' in workflow.on);
    assert.equal(workflow.permissions['security-events'], 'write');
    const job = workflow.jobs.spyglass;
    assert.ok(job, 'job spyglass');
    assert.equal(job['runs-on'], 'ubuntu-latest');
    const steps = job.steps;
    assert.equal(steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version'], 20);
    assert.ok(steps.some((step) => step.run?.includes('npm install -g')));
    const scanIndex = steps.findIndex((step) => step.run?.includes('spyglass cves'));
    assert.ok(scanIndex >= 0, 'a step runs spyglass cves');
    assert.ok(steps.findIndex((step) => step.run?.includes('spyglass db update')) < scanIndex, 'the database is updated before the scan');
    const command = cvesCommand(steps[scanIndex]!.run!);
    assert.equal(flagValue(command, '--format'), 'sarif');
    assert.equal(flagValue(command, '-o', '--output'), 'spyglass.sarif');
    assert.ok(command.includes('--exit-code'));
    const uploadIndex = steps.findIndex((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(uploadIndex > scanIndex, 'the upload comes after the scan');
    const upload = steps[uploadIndex]!;
    assert.equal(upload.with?.sarif_file, 'spyglass.sarif');
    // --exit-code fails the scan step when vulnerabilities remain; the upload must still run then.
    assert.match(upload.if ?? '', /always\(\)|!cancelled\(\)|failure\(\)/);
  });

  it('GitLab CI: a job that writes the container scanning report with --exit-code and keeps it as that report', () => {
    const pipeline = readYaml('examples/gitlab-ci.yml') as Record<string, unknown> & { stages: string[] };
    const job = pipeline.container_scanning as {
      stage: string; image: string; script: string[]; before_script: string[];
      artifacts: { when: string; reports: Record<string, string> };
    };
    assert.ok(job, 'job container_scanning');
    assert.ok(pipeline.stages.includes(job.stage));
    assert.match(job.image, /^node:20/);
    assert.ok(job.before_script.some((line) => line.includes('npm install -g')));
    assert.ok(job.before_script.some((line) => line.includes('spyglass db update')));
    const command = cvesCommand(job.script.join('\n'));
    assert.equal(flagValue(command, '--format'), 'gitlab');
    assert.equal(flagValue(command, '-o', '--output'), 'gl-container-scanning-report.json');
    assert.ok(command.includes('--exit-code'));
    assert.equal(job.artifacts.reports.container_scanning, 'gl-container-scanning-report.json');
    assert.equal(job.artifacts.when, 'always');
  });
});

interface Instruction { keyword: string; args: string }

/** Dockerfile instructions, continuation lines joined and comments dropped (the Dockerfile reference's syntax). */
function instructions(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}

describe('the Dockerfile', () => {
  const all = instructions(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
  const lastFrom = all.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const final = all.slice(lastFrom);
  const one = (keyword: string) => {
    const found = final.filter((instruction) => instruction.keyword === keyword);
    assert.equal(found.length, 1, `one ${keyword} in the final stage`);
    return found[0]!.args;
  };

  it('builds on Node 20 and runs spyglass serve on 0.0.0.0:8080 by default', () => {
    for (const from of all.filter((instruction) => instruction.keyword === 'FROM')) assert.match(from.args, /^node:20-bookworm-slim\b/);
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[];
    assert.deepEqual(entrypoint, ['node', '/opt/spyglass/bin/spyglass.js']);
    assert.deepEqual(JSON.parse(one('CMD')) as string[], ['serve', '--listen', '0.0.0.0:8080']);
    assert.equal(one('EXPOSE'), '8080');
    assert.match(one('HEALTHCHECK'), /CMD .*\/healthz/);
    assert.match(one('HEALTHCHECK'), /127\.0\.0\.1:8080/);
  });

  it('runs as a user that is not root, with the data directory a volume', () => {
    const user = one('USER');
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
    assert.ok(final.some((instruction) => instruction.keyword === 'RUN' && new RegExp(`useradd .*\\b${user}$|useradd .*\\b${user}\\s`).test(instruction.args)), `the image creates ${user}`);
    assert.ok(final.findIndex((instruction) => instruction.keyword === 'USER') > final.findIndex((instruction) => instruction.keyword === 'RUN'), 'USER comes after the last RUN as root');
    assert.deepEqual([one('VOLUME')], ['/data']);
    assert.match(one('ENV'), /\bSPYGLASS_DATA_DIR=\/data\b/);
    assert.ok(final.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes(`chown ${user}:${user} /data`)));
  });

  it('builds with npm ci from files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    const build = all.slice(0, lastFrom);
    assert.ok(build.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes('npm ci')));
    const copied = build.filter((instruction) => instruction.keyword === 'COPY').flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    for (const source of ['package.json', 'package-lock.json', 'src', 'bin', 'docs', 'scripts']) assert.ok(copied.includes(source), `${source} is copied`);
    // Every file the build script names (tsconfig.build.json, scripts/…, web/vite.config.ts) is there when `npm ci` builds.
    const buildScript = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.build!;
    const named = buildScript.split(/\s+/).filter((word) => /^[\w.-]+(?:\/[\w.-]+)*\.(?:json|mjs|js|ts)$/.test(word));
    assert.ok(named.length >= 3, buildScript);
    for (const path of named) assert.ok(copied.includes(path.split('/')[0]!), `${path} (named by the build script) is copied`);
    for (const source of copied) {
      assert.ok(existsSync(join(PROJECT_ROOT, source)), `${source} exists`);
      assert.ok(!ignored.includes(source), `${source} is not in .dockerignore`);
    }
    // The final stage takes what the npm package ships (package.json's files) and the production node_modules.
    const files = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { files: string[] }).files.filter((entry) => !entry.startsWith('!') && entry !== 'README.md');
    const taken = final.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args.split(/\s+/).at(-2)!);
    for (const entry of [...files, 'node_modules', 'package.json']) assert.ok(taken.includes(`/src/${entry}`), `${entry} reaches the final stage`);
  });
});
