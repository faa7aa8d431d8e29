import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitStatus, isSpyglassError, errorText } from '../core/errors.ts';
import { registerInspect } from './inspect.ts';
import { registerSbom } from './sbom.ts';
import { registerCache } from './cache.ts';
import { registerDb } from './db.ts';
import { registerCves } from './cves.ts';
import { registerQuickview } from './quickview.ts';
import { registerRecommendations } from './recommendations.ts';
import { registerPolicy } from './policy.ts';
import { registerBaseImages } from './base-images.ts';
import { registerCompare } from './compare.ts';
import { registerServe } from './serve.ts';
import { registerWorker } from './worker.ts';
import { registerAdmin } from './admin.ts';
import { registerRepo } from './repo.ts';
import { registerIntegration } from './integration.ts';
import { registerNotification } from './notification.ts';
import { registerEnvironment } from './environment.ts';
import { registerDockerPlugin } from './docker-plugin.ts';
import { registerConfig } from './config-command.ts';
import { registerLogin } from './login.ts';
import { registerVersion } from './version.ts';
import { registerCompletion } from './completion.ts';
import { applyConfiguredDefaults, loadConfig } from './config.ts';
import { COLOR_CHOICES, type CommandContext } from './context.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The whole command tree (also what `completion` and the help tests walk). */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('spyglass')
    .description('Analyse container images: packages, vulnerabilities, base images')
    .version(VERSION, '--version', 'print the version')
    .option('--cache-dir <dir>', 'blob cache (default $SPYGLASS_CACHE_DIR, the config file\'s cacheDir, or $XDG_CACHE_HOME/spyglass)')
    .option('--data-dir <dir>', 'database directory (default $SPYGLASS_DATA_DIR, the config file\'s dataDir, or $XDG_DATA_HOME/spyglass)')
    .option('-q, --quiet', 'no progress output')
    .option('--color <when>', `colour on the terminal: ${COLOR_CHOICES.join(', ')} (auto: a terminal and no NO_COLOR)`)
    .option('--debug', 'show stack traces of internal errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showSuggestionAfterError();
  // The config file's format.<command> and platform become option defaults; only for commands that have them, so a broken file does not stop `config unset`.
  program.hook('preAction', (_program, command) => {
    if (command.options.some((option) => option.long === '--format' || option.long === '--platform')) applyConfiguredDefaults(command, loadConfig().values);
  });
  registerVersion(program, context, VERSION);
  registerInspect(program, context);
  registerSbom(program, context);
  registerCache(program, context);
  registerDb(program, context);
  registerCves(program, context);
  registerQuickview(program, context);
  registerRecommendations(program, context);
  registerPolicy(program, context);
  registerBaseImages(program, context);
  registerCompare(program, context);
  registerServe(program, context);
  registerWorker(program, context);
  registerAdmin(program, context);
  registerRepo(program, context);
  registerIntegration(program, context);
  registerNotification(program, context);
  registerEnvironment(program, context);
  registerDockerPlugin(program, context);
  registerConfig(program, context);
  registerLogin(program, context);
  registerCompletion(program, context);
  return program;
}

/**
 * Runs one spyglass command and returns its exit code. Errors a user can act on print one line;
 * anything else is a bug and shows its stack only with --debug.
 */
export async function main(argv: string[], context: CommandContext = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 1;
    }
    if (error instanceof ExitStatus) return error.exitCode;
    if (isSpyglassError(error)) {
      context.stderr.write(`spyglass: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return error.exitCode;
    }
    if (program.opts().debug) context.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    else context.stderr.write(`spyglass: internal error: ${errorText(error).split('\n')[0]} (run with --debug for details)\n`);
    // Not 2: that is `--exit-code`'s "vulnerabilities (or failed policies) found", which CI jobs act on.
    return 3;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
