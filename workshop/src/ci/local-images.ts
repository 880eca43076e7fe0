/**
 * Images made on this machine, without any registry: a root file system of
 * the machine's own binaries (Node, npm, a shell, redis-server, nats-server)
 * and the libraries they link, `docker import`ed as a base image, and small
 * images on top of it for Redis, NATS and MailDev. They stand in for the
 * registry images a Pulumi stack names, behind the same config keys
 * (baseImage, redisImage, natsImage, mailDevImage) a facilitator would point
 * at a local mirror.
 *
 * The base image also carries a warm npm cache (/opt/npm-cache) holding what
 * services/Dockerfile installs, so the service images build with
 * `--network none` (NPM_CONFIG_OFFLINE=true, NPM_CONFIG_CACHE=/opt/npm-cache).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requireTool } from '../runtime/tools';

export interface LocalImages {
  base: string;
  redis: string;
  nats: string;
  mailDev: string;
  /** Build arguments that make services/Dockerfile install from the base image's cache. */
  buildArgs: Record<string, string>;
}

export const LOCAL_IMAGES = {
  base: 'workshop-base:local',
  redis: 'workshop-redis:local',
  nats: 'workshop-nats:local',
  mailDev: 'workshop-maildev:local',
} as const;

const NPM_CACHE = '/opt/npm-cache';
const MAILDEV_DIR = '/opt/maildev';

/** Runs a command; on failure, throws with the end of its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${tail}`);
  }
  return result.stdout;
}

/** The shared libraries a binary loads, as ldd lists them (the loader included). */
function librariesOf(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]);
}

/** Copies a file to the same path under root, following links (so the copy has its final bytes). */
function place(root: string, file: string, target = file): void {
  const to = join(root, target);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(realpathSync(file), to, { dereference: true });
}

/**
 * The runtime closure of `pkg` from node_modules: the package and every
 * dependency it resolves, copied to the same relative places under `dest`,
 * so Node resolves them there as it does here.
 */
function copyPackageClosure(repo: string, pkg: string, dest: string): void {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    // Node's lookup of a package folder: the nearest node_modules/<name> up from `from`.
    let found: string | undefined;
    for (let dir = from; !found && dir !== dirname(dir); dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) found = candidate;
    }
    if (!found) throw new Error(`cannot find ${name} from ${from}`);
    const manifest = join(found, 'package.json');
    const dir = dirname(realpathSync(manifest));
    if (seen.has(dir)) return;
    seen.add(dir);
    const rel = dir.slice(repo.length + 1);
    cpSync(dir, join(dest, rel), { recursive: true, dereference: true });
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(json.dependencies ?? {})) visit(dep, dir);
    for (const dep of Object.keys(json.optionalDependencies ?? {})) {
      try {
        visit(dep, dir);
      } catch {
        // an optional dependency for another platform
      }
    }
  };
  visit(pkg, repo);
}

/** npm's own folder (…/node_modules/npm), from the npm on PATH. */
function npmDir(): string {
  let dir = dirname(realpathSync(requireTool('npm')));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function fingerprint(repo: string): string {
  const hash = createHash('sha256');
  hash.update(process.version);
  hash.update(readFileSync(join(npmDir(), 'package.json')));
  hash.update(readFileSync(join(repo, 'package-lock.json')));
  hash.update(readFileSync(__filename));
  return hash.digest('hex').slice(0, 16);
}

function imageLabel(image: string, label: string): string | undefined {
  const result = spawnSync('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${label}" }}`, image], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n';
const GROUP = 'root:x:0:\nnode:x:1000:\n';
// For healthchecks written for alpine images (`wget -q --spider URL`, `wget -q -O - URL`).
const WGET = `#!/bin/sh
# A stand-in for wget: the last argument is the URL; exit 0 when it answers 2xx.
for url; do :; done
exec node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$url"
`;

/** Builds the local images (skipped when they exist for the same Node, npm and lockfile). */
export function buildLocalImages(repo: string, log: (line: string) => void = console.log): LocalImages {
  requireTool('docker');
  const images: LocalImages = {
    ...LOCAL_IMAGES,
    buildArgs: { NPM_CONFIG_CACHE: NPM_CACHE, NPM_CONFIG_OFFLINE: 'true' },
  };
  const print = fingerprint(repo);
  const upToDate = [LOCAL_IMAGES.base, LOCAL_IMAGES.redis, LOCAL_IMAGES.nats, LOCAL_IMAGES.mailDev].every(
    (image) => imageLabel(image, 'workshop.fingerprint') === print,
  );
  if (upToDate) {
    log(`local images: up to date (${print})`);
    return images;
  }

  const scratch = mkdtempSync(join(tmpdir(), 'workshop-rootfs-'));
  const root = join(scratch, 'rootfs');
  try {
    log('local images: root file system from this machine');
    const node = realpathSync(process.execPath);
    const binaries: [string, string][] = [
      [node, '/usr/local/bin/node'],
      [realpathSync('/bin/sh'), '/bin/sh'],
      [requireTool('redis-server'), '/usr/bin/redis-server'],
      [requireTool('redis-cli'), '/usr/bin/redis-cli'],
      [requireTool('nats-server'), '/usr/bin/nats-server'],
    ];
    for (const [from, to] of binaries) {
      place(root, from, to);
      for (const lib of librariesOf(from)) place(root, lib);
    }
    if (existsSync('/etc/ld.so.cache')) place(root, '/etc/ld.so.cache');
    cpSync(npmDir(), join(root, 'usr/local/lib/node_modules/npm'), { recursive: true, dereference: true });
    for (const [name, script] of [
      ['npm', 'npm-cli.js'],
      ['npx', 'npx-cli.js'],
    ]) {
      writeFileSync(
        join(root, 'usr/local/bin', name),
        `#!/bin/sh\nexec node /usr/local/lib/node_modules/npm/bin/${script} "$@"\n`,
      );
      chmodSync(join(root, 'usr/local/bin', name), 0o755);
    }
    writeFileSync(join(root, 'usr/bin/wget'), WGET);
    chmodSync(join(root, 'usr/bin/wget'), 0o755);
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), PASSWD);
    writeFileSync(join(root, 'etc/group'), GROUP);
    writeFileSync(join(root, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    for (const dir of ['tmp', 'root', 'home/node', 'data', 'app']) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    chmodSync(join(root, 'data'), 0o777);

    log('local images: MailDev from node_modules');
    copyPackageClosure(repo, 'maildev', join(root, MAILDEV_DIR));

    log('local images: a warm npm cache for services/Dockerfile');
    const stage = join(scratch, 'npm-stage');
    for (const file of [
      'package.json',
      'package-lock.json',
      'services/package.json',
      'infra/package.json',
      'workshop-docs/package.json',
    ]) {
      if (existsSync(join(repo, file))) place(stage, join(repo, file), file);
    }
    const cache = join(root, NPM_CACHE);
    const npmFlags = [
      '--cache',
      cache,
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'error',
    ];
    run('npm', ['ci', '--omit=dev', '--workspace', 'services', ...npmFlags], { cwd: stage });
    const tsVersion = (
      JSON.parse(readFileSync(join(repo, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }
    ).version;
    run('npm', ['install', '--prefix', join(scratch, 'tsc'), '--no-save', `typescript@${tsVersion}`, ...npmFlags], {
      cwd: stage,
    });
    execFileSync('chmod', ['-R', 'a+rwX', cache]);

    log('local images: docker import');
    run('sh', [
      '-c',
      `tar -C "${root}" -cf - . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' ` +
        `--change 'LABEL workshop.fingerprint=${print}' - ${LOCAL_IMAGES.base}`,
    ]);
    const derived: [string, string][] = [
      [LOCAL_IMAGES.redis, 'CMD ["redis-server", "--protected-mode", "no"]'],
      [LOCAL_IMAGES.nats, 'ENTRYPOINT ["nats-server"]\nCMD ["-js", "-m", "8222"]'],
      [
        LOCAL_IMAGES.mailDev,
        [
          'ENV MAILDEV_SMTP_PORT=1025 MAILDEV_WEB_PORT=1080 MAILDEV_MAIL_DIRECTORY=/tmp/maildev',
          'USER node',
          `ENTRYPOINT ["node", "${MAILDEV_DIR}/node_modules/maildev/dist/bin/maildev.js"]`,
          `HEALTHCHECK --interval=5s --timeout=3s CMD ["node", "${MAILDEV_DIR}/node_modules/maildev/dist/bin/healthcheck.js"]`,
        ].join('\n'),
      ],
    ];
    for (const [tag, body] of derived) {
      run('docker', ['build', '-q', '-t', tag, '-'], {
        input: `FROM ${LOCAL_IMAGES.base}\n${body}\n`,
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      });
    }
    return images;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
