import type { Command } from 'commander';
import { formatPlatform } from '../core/platform.ts';
import { shortDigest } from '../core/digest.ts';
import type { Image } from '../image/model.ts';
import type { LayerStats } from '../layerfs/index.ts';
import { DEFAULT_MAX_LAYER_BYTES } from '../layerfs/limits.ts';
import { SpyglassError } from '../core/errors.ts';
import { formatBytes } from './progress.ts';
import { addImageSelectionOptions, globalOptions, openImageOptions, parseFormat, type CommandContext, type ImageSelectionOptions } from './context.ts';

/** The JSON form of `spyglass inspect` (documented in docs/inspect.md). */
export function inspectReport(image: Image, verified?: LayerStats[]) {
  return {
    input: image.input,
    source: image.source,
    names: image.names,
    indexDigest: image.indexDigest ?? null,
    manifestDigest: image.manifestDigest ?? null,
    manifestMediaType: image.manifestMediaType ?? null,
    configDigest: image.configDigest,
    platform: formatPlatform(image.platform),
    platforms: image.platforms.map(formatPlatform),
    size: image.layers.reduce((total, layer) => total + layer.size, 0),
    created: image.config.created ?? null,
    config: {
      user: image.config.user ?? null,
      env: image.config.env,
      entrypoint: image.config.entrypoint ?? null,
      cmd: image.config.cmd ?? null,
      workingDir: image.config.workingDir ?? null,
      exposedPorts: image.config.exposedPorts,
      volumes: image.config.volumes,
      labels: image.config.labels,
      stopSignal: image.config.stopSignal ?? null,
    },
    layers: image.layers.map((layer) => ({
      index: layer.index,
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      mediaType: layer.mediaType,
      createdBy: layer.history?.createdBy ?? null,
      created: layer.history?.created ?? null,
      ...(verified ? { uncompressedSize: verified[layer.index]?.uncompressedBytes ?? null, entries: verified[layer.index]?.entries ?? null } : {}),
    })),
    verified: verified !== undefined,
    history: image.config.history,
    annotations: image.annotations,
    indexAnnotations: image.indexAnnotations,
    attestations: image.attestations.map((attestation) => ({
      manifestDigest: attestation.manifestDigest,
      describes: attestation.describes,
      predicateTypes: attestation.predicateTypes,
    })),
  };
}

function list(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(' ') : '-';
}

export function inspectText(image: Image, verified?: LayerStats[]): string {
  const report = inspectReport(image, verified);
  const rows: [string, string][] = [
    ['Input', report.input],
    ['Source', report.source],
    ['Names', list(report.names)],
    ['Index digest', report.indexDigest ?? '-'],
    ['Manifest digest', report.manifestDigest ? `${report.manifestDigest} (${report.manifestMediaType})` : '-'],
    ['Config digest', report.configDigest],
    ['Platform', report.platforms.length > 1 ? `${report.platform} (of ${report.platforms.join(', ')})` : report.platform],
    ['Size', `${formatBytes(report.size)} (${report.layers.length} layers)`],
    ['Created', report.created ?? '-'],
    ['User', report.config.user ?? '-'],
    ['Entrypoint', list(report.config.entrypoint ?? undefined)],
    ['Cmd', list(report.config.cmd ?? undefined)],
    ['Working dir', report.config.workingDir ?? '-'],
    ['Exposed ports', list(report.config.exposedPorts)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  const section = (title: string, entries: [string, string][]) => {
    if (entries.length === 0) return;
    lines.push('', `${title}:`);
    for (const [key, value] of entries) lines.push(`  ${key}=${value}`);
  };
  section('Environment', report.config.env.map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
  }));
  section('Labels', Object.entries(report.config.labels));
  section('Annotations', Object.entries(report.annotations));
  section('Index annotations', Object.entries(report.indexAnnotations));
  lines.push('', 'Layers:');
  for (const layer of report.layers) {
    lines.push(`  ${String(layer.index + 1).padStart(2)}  ${layer.diffId}  ${formatBytes(layer.size).padStart(8)}  digest ${shortDigest(layer.digest)}`);
    lines.push(`      ${layer.createdBy ?? '(no history)'}`);
    if (layer.uncompressedSize != null) lines.push(`      verified: ${formatBytes(layer.uncompressedSize)} uncompressed, ${layer.entries} tar entries`);
  }
  if (report.attestations.length > 0) {
    lines.push('', 'Attestations:');
    for (const attestation of report.attestations) {
      lines.push(`  ${attestation.manifestDigest}  ${attestation.predicateTypes.join(', ') || '(no predicate type)'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerInspect(program: Command, context: CommandContext): void {
  const command = program
    .command('inspect')
    .description('show an image: digests, platforms, layers with the history line that made each, config, annotations, attestations')
    .addHelpText('after', `
Examples:
  $ spyglass inspect alpine:3.20
  $ spyglass inspect archive://app.tar --format json
  $ spyglass inspect --platform linux/arm64 registry://ghcr.io/org/app:1.2`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, or a bare name)')
    .option('--format <format>', 'text or json', 'text')
    .option('--verify', 'read every layer: check blob digests and diff_ids, count entries and uncompressed sizes')
    .option('--max-layer-bytes <bytes>', 'with --verify: cap on a layer\'s decompressed size (decompression bombs)', String(DEFAULT_MAX_LAYER_BYTES));
  addImageSelectionOptions(command)
    .action(async (input: string, options: ImageSelectionOptions & { format: string; verify?: boolean; maxLayerBytes: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const maxLayerBytes = Number(options.maxLayerBytes);
      if (!Number.isSafeInteger(maxLayerBytes) || maxLayerBytes <= 0) {
        throw new SpyglassError(`--max-layer-bytes ${options.maxLayerBytes}: expected a positive number of bytes`);
      }
      const global = globalOptions(program);
      // Loaded on use, so that `spyglass --help` and quick commands start fast.
      const [{ openImage }, { walkLayers }] = await Promise.all([import('../image/open.ts'), import('../layerfs/index.ts')]);
      const image = await openImage(input, openImageOptions(options, global));
      try {
        const verified = options.verify ? await walkLayers(image, { maxLayerBytes }, () => undefined) : undefined;
        context.stdout.write(format === 'json' ? `${JSON.stringify(inspectReport(image, verified), null, 2)}\n` : inspectText(image, verified));
      } finally {
        await image.close();
      }
    });
}
