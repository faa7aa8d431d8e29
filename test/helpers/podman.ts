// A real Docker-compatible engine for tests: podman's API service on an isolated store, set up exactly
// as ../shared/notes/podman.md describes (vfs storage, file events, cgroupfs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PodmanEngine {
  /** Its state directory, where a test may put sockets that do not exist. */
  root: string;
  socket: string;
  /** `unix://…`, the form DOCKER_HOST takes. */
  dockerHost: string;
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ socketPath, path: '/_ping' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    req.on('error', () => resolve(false));
  });
}

/** Loads `docker save` tars into a fresh podman store and serves the engine API on a unix socket. */
export async function startPodmanEngine(archives: string[]): Promise<PodmanEngine> {
  const root = mkdtempSync(join(tmpdir(), 'spyglass-podman-'));
  const socket = join(root, 'api.sock');
  const flags = [
    '--root', join(root, 'root'), '--runroot', join(root, 'run'), '--tmpdir', join(root, 'tmp'),
    '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs',
  ];
  for (const archive of archives) {
    const loaded = spawnSync('podman', [...flags, 'load', '-i', archive], { encoding: 'utf8' });
    if (loaded.status !== 0) throw new Error(`podman load ${archive} failed: ${loaded.stderr}`);
  }
  const service: ChildProcess = spawn('podman', [...flags, 'system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!(await ping(socket))) {
    if (Date.now() > deadline) throw new Error('podman system service did not answer /_ping within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    root,
    socket,
    dockerHost: `unix://${socket}`,
    async stop() {
      if (service.exitCode === null && service.signalCode === null) {
        const exited = new Promise((resolve) => service.once('exit', resolve));
        service.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
