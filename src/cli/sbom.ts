import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { Command } from 'commander';
import type { PackageType } from '../core/package.ts';
import type { Sbom } from '../core/sbom.ts';
import { SpyglassError, errorText } from '../core/errors.ts';
import { isSbomInput } from '../sbom/input-prefix.ts';
import { onlyPackageTypes, packageList } from '../sbom/package-list.ts';
import { PACKAGE_TYPES, isPackageType } from '../sbom/package-type.ts';
import { addImageSelectionOptions, globalOptions, openImageOptions, parseFormat, type CommandContext, type GlobalOptions, type ImageSelectionOptions } from './context.ts';

const FORMATS = ['list', 'json', 'spdx', 'cyclonedx'] as const;
const SBOM_SOURCES = ['auto', 'attestation', 'layers'] as const;

export interface SbomOptions extends ImageSelectionOptions {
  format: string;
  output?: string;
  onlyPackageType?: string;
  sbomSource: string;
}

export function parsePackageTypes(text: string): PackageType[] {
  const types = text.split(',').map((type) => type.trim()).filter((type) => type.length > 0);
  const unknown = types.filter((type) => !isPackageType(type));
  if (types.length === 0 || unknown.length > 0) {
    throw new SpyglassError(`--only-package-type ${text}: expected some of ${PACKAGE_TYPES.join(', ')}`);
  }
  return types as PackageType[];
}

/** Writes `text` to `path` whole or not at all: a failed run leaves no half-written file behind. */
export async function writeOutput(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SpyglassError(`-o ${path}: ${errorText(error)}`);
  }
}

export function registerSbom(program: Command, context: CommandContext): void {
  const command = program
    .command('sbom')
    .description('list every package in an image, or convert an SBOM (sbom://FILE)')
    .addHelpText('after', `
Examples:
  $ spyglass sbom alpine:3.20
  $ spyglass sbom archive://app.tar --format cyclonedx --output app.cdx.json
  $ spyglass sbom sbom://app.spdx.json --format cyclonedx`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE (- for stdin)')
    .option('--format <format>', `${FORMATS.join(', ')}`, 'list')
    .option('-o, --output <file>', 'write the SBOM to this file instead of standard output')
    .option('--only-package-type <types>', `comma-separated package types to keep (${PACKAGE_TYPES.join(', ')})`)
    .option('--sbom-source <source>', 'auto (the image\'s SBOM attestation when it has one, else its layers), attestation or layers', 'auto');
  addImageSelectionOptions(command)
    .action(async (input: string, options: SbomOptions) => {
      const format = parseFormat(options.format, FORMATS);
      if (!(SBOM_SOURCES as readonly string[]).includes(options.sbomSource)) {
        throw new SpyglassError(`--sbom-source ${options.sbomSource}: expected one of ${SBOM_SOURCES.join(', ')}`);
      }
      const types = options.onlyPackageType !== undefined ? parsePackageTypes(options.onlyPackageType) : undefined;
      const global = globalOptions(program);
      // Loaded on use, so that `spyglass --help` and quick commands start fast.
      let sbom = await loadSbom(input, options, global);
      if (types) sbom = onlyPackageTypes(sbom, types);
      const text = format === 'list' ? packageList(sbom) : (await import('../sbom/format.ts')).encode(sbom, format);
      if (options.output !== undefined) await writeOutput(options.output, text);
      else context.stdout.write(text);
    });
}

/** The SBOM of an image (its attestation or its layers, as --sbom-source says) or of an `sbom://` input. */
export async function loadSbom(input: string, options: Pick<SbomOptions, 'sbomSource' | keyof ImageSelectionOptions>, global: GlobalOptions): Promise<Sbom> {
  return isSbomInput(input) ? (await import('../sbom/input.ts')).loadSbomInput(input) : imageSbom(input, options, global);
}

async function imageSbom(input: string, options: Pick<SbomOptions, 'sbomSource' | keyof ImageSelectionOptions>, global: GlobalOptions): Promise<Sbom> {
  const [{ openImage }, { catalogImage }, { sbomFromAttestation }] = await Promise.all([
    import('../image/open.ts'), import('../catalog/engine.ts'), import('../sbom/attestation.ts'),
  ]);
  const image = await openImage(input, openImageOptions(options, global));
  try {
    if (options.sbomSource !== 'layers') {
      const attested = await sbomFromAttestation(image);
      if (attested) return attested;
      if (options.sbomSource === 'attestation') throw new SpyglassError(`${input}: the image has no SPDX SBOM attestation (use --sbom-source layers)`);
    }
    return await catalogImage(image, { cacheDir: global.cacheDir });
  } finally {
    await image.close();
  }
}
