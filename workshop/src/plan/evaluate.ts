/**
 * The child process of readPlan(): runs a Pulumi program under
 * pulumi.runtime.setMocks and writes what it declared as JSON.
 *
 *   node --import tsx evaluate.ts <infraDir> <outFile>      (request in PLAN_REQUEST)
 *
 * It loads @pulumi/pulumi from the program's own folder, so the mocks are set
 * on the very copy the program uses, wherever the tree is.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type * as Pulumi from '@pulumi/pulumi';
import { providerAnswer } from './resource-monitor';
import type { EvaluationResult, PlanAttachment, PlanBuild, PlanContainer, PlanImage, PlanNetwork } from './types';

export interface PlanRequest {
  stack: string;
  /** Config values by key ('mailReplicas' or 'workshop:mailReplicas'); they win over the stack file. */
  config: Record<string, string | number | boolean>;
}

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  custom: boolean;
}

type Dict = Record<string, unknown>;

/** Where in the program an error was thrown: the first stack frame in infraDir, outside node_modules. */
function whereIn(infraDir: string, error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (!match) continue;
    const file = match[1].replace(/^file:\/\//, '');
    if (file.startsWith(infraDir + sep) && !file.includes(`${sep}node_modules${sep}`)) {
      return ` (at ${relative(infraDir, file)}:${match[2]})`;
    }
  }
  return '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** The program's entry file: Pulumi.yaml's main, else package.json's main, else index.ts. */
function entryOf(infraDir: string, project: Dict): string {
  let main = typeof project.main === 'string' ? project.main : undefined;
  const pkgFile = join(infraDir, 'package.json');
  if (!main && existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Dict;
    if (typeof pkg.main === 'string') main = pkg.main;
  }
  const entry = resolve(infraDir, main ?? 'index.ts');
  if (existsSync(entry) && statSync(entry).isDirectory()) return join(entry, 'index.ts');
  return entry;
}

/** Config as the Pulumi CLI would give it: Pulumi.yaml defaults, then the stack file, then the request. */
export function configOf(
  infraDir: string,
  projectName: string,
  project: Dict,
  request: PlanRequest,
  loadYaml: (text: string) => unknown,
): Record<string, string> {
  const key = (k: string) => (k.includes(':') ? k : `${projectName}:${k}`);
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Record<string, string> = {};
  for (const [k, spec] of Object.entries((project.config ?? {}) as Dict)) {
    if (spec && typeof spec === 'object') {
      const s = spec as Dict;
      const value = 'value' in s ? s.value : s.default;
      if (value !== undefined) out[key(k)] = str(value);
    } else if (spec !== undefined && spec !== null) {
      out[key(k)] = str(spec);
    }
  }
  const stackFile = join(infraDir, `Pulumi.${request.stack}.yaml`);
  if (existsSync(stackFile)) {
    const stack = (loadYaml(readFileSync(stackFile, 'utf8')) ?? {}) as Dict;
    for (const [k, v] of Object.entries((stack.config ?? {}) as Dict)) {
      const value = v && typeof v === 'object' && 'value' in (v as Dict) ? (v as Dict).value : v;
      if (value !== undefined && value !== null) out[key(k)] = str(value);
    }
  }
  for (const [k, v] of Object.entries(request.config)) out[key(k)] = String(v);
  // The CLI refuses a stack that leaves a key of the project's own without a value when Pulumi.yaml declares it
  // with no default (pulumi/pulumi sdk/go/common/workspace/config.go, mergeConfig): so does this.
  const missing = Object.entries((project.config ?? {}) as Dict)
    .filter(([k, spec]) => !k.includes(':') && spec && typeof spec === 'object')
    .filter(([k, spec]) => !('default' in (spec as Dict)) && !('value' in (spec as Dict)) && !(key(k) in out))
    .map(([k]) => `'${k}'`)
    .sort();
  if (missing.length) {
    const list = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}` : missing[0];
    throw new Error(
      `Stack '${request.stack}' is missing configuration value${missing.length > 1 ? 's' : ''} ${list} ` +
        `(as the Pulumi CLI says it: Pulumi.yaml declares ${missing.length > 1 ? 'them' : 'it'} with no default; give ${missing.length > 1 ? 'them' : 'it'} one, or set ${missing.length > 1 ? 'them' : 'it'} in the stack)`,
    );
  }
  return out;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asStrings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

/** Pulumi's wire mark of a secret: `{ [SECRET_KEY]: SECRET_SIG, value }` (@pulumi/pulumi runtime/rpc.js specialSigKey, specialSecretSig). */
const SECRET_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/**
 * The inputs with each secret replaced by its value: under mocks a secret
 * (the NATS token) reaches newResource wrapped, and an array holding one is
 * wrapped whole (a container's `envs`, its `command`). The plan is what
 * `pulumi up` would give Docker, where the values are plain.
 */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Dict;
    if (record[SECRET_KEY] === SECRET_SIG) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function envOf(envs: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of asArray(envs)) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function labelsOf(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of asArray(labels)) {
    const { label, value } = (entry ?? {}) as Dict;
    if (typeof label === 'string') out[label] = String(value ?? '');
  }
  return out;
}

function buildOf(infraDir: string, build: unknown): PlanBuild | undefined {
  if (!build || typeof build !== 'object') return undefined;
  const b = build as Dict;
  const context = resolve(infraDir, asString(b.context) ?? '.');
  const dockerfile = asString(b.dockerfile);
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries((b.args ?? {}) as Dict)) args[k] = String(v);
  return {
    context,
    dockerfile:
      dockerfile === undefined ? undefined : isAbsolute(dockerfile) ? dockerfile : resolve(infraDir, dockerfile),
    args,
    target: asString(b.target),
  };
}

/** What the mocks answer: the Docker provider's ids and outputs (a built image's repoDigest is its sha256: id). */
function mockState(r: Recorded): { id: string; state: Dict } {
  if (r.type === 'docker:index/remoteImage:RemoteImage') {
    const name = asString(r.inputs.name) ?? r.name;
    return { id: name, state: { ...r.inputs, imageId: name, repoDigest: name } };
  }
  const { id, outputs } = providerAnswer(r.type, r.name, r.inputs);
  return { id, state: outputs };
}

async function evaluate(infraDir: string, request: PlanRequest): Promise<EvaluationResult> {
  const started = Date.now();
  const projectFile = join(infraDir, 'Pulumi.yaml');
  const programRequire = createRequire(join(infraDir, 'index.ts'));
  let pulumi: typeof Pulumi;
  try {
    pulumi = programRequire('@pulumi/pulumi') as typeof Pulumi;
  } catch {
    return {
      ok: false,
      error: `@pulumi/pulumi cannot be loaded from ${infraDir}: run \`npm install\` at the root of the workshop.`,
    };
  }
  const loadYaml = (createRequire(programRequire.resolve('@pulumi/pulumi'))('js-yaml') as { load(t: string): unknown })
    .load;
  if (!existsSync(projectFile)) return { ok: false, error: `there is no Pulumi.yaml in ${infraDir}.` };
  let project: Dict;
  try {
    project = (loadYaml(readFileSync(projectFile, 'utf8')) ?? {}) as Dict;
  } catch (error) {
    return { ok: false, error: `${projectFile} is not valid YAML: ${messageOf(error)}` };
  }
  const projectName = asString(project.name) ?? 'project';
  let config: Record<string, string>;
  try {
    config = configOf(infraDir, projectName, project, request, loadYaml);
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }

  const recorded: Recorded[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const r: Recorded = {
          type: args.type,
          name: args.name,
          inputs: unwrapSecrets(args.inputs ?? {}) as Dict,
          custom: !!args.custom,
        };
        recorded.push(r);
        return mockState(r);
      },
      call(args) {
        return (args.inputs ?? {}) as Dict;
      },
    },
    projectName,
    request.stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);

  const asyncErrors: unknown[] = [];
  const onAsyncError = (error: unknown) => asyncErrors.push(error);
  process.on('unhandledRejection', onAsyncError);
  process.on('uncaughtException', onAsyncError);

  const entry = entryOf(infraDir, project);
  if (!existsSync(entry)) return { ok: false, error: `the program's entry file ${entry} does not exist.` };
  let outputs: Dict = {};
  try {
    let exported = programRequire(entry) as unknown;
    if (exported && typeof exported === 'object' && typeof (exported as Dict).default === 'function') {
      exported = (exported as Dict).default;
    }
    if (typeof exported === 'function') exported = await (exported as () => unknown)();
    await pulumi.runtime.disconnect();
    const values = Object.entries((exported ?? {}) as Dict).filter(([k]) => k !== 'default' && k !== '__esModule');
    outputs = Object.fromEntries(
      await Promise.all(
        values.map(
          async ([k, v]) =>
            [
              k,
              await new Promise((done) => (pulumi.output(v) as Pulumi.Output<unknown>).apply((x) => done(x))),
            ] as const,
        ),
      ),
    );
    await pulumi.runtime.disconnect();
  } catch (error) {
    return { ok: false, error: `it threw: ${messageOf(error)}${whereIn(infraDir, error)}.` };
  }
  if (asyncErrors.length) {
    return { ok: false, error: `it failed: ${messageOf(asyncErrors[0])}${whereIn(infraDir, asyncErrors[0])}.` };
  }

  const networks: PlanNetwork[] = recorded
    .filter((r) => r.type === 'docker:index/network:Network')
    .map((r) => ({
      resource: r.name,
      name: asString(r.inputs.name) ?? r.name,
      driver: asString(r.inputs.driver),
      internal: typeof r.inputs.internal === 'boolean' ? r.inputs.internal : undefined,
    }));
  const networkByRef = new Map<string, string>();
  for (const n of networks) {
    networkByRef.set(n.name, n.name);
    networkByRef.set(providerAnswer('docker:index/network:Network', n.resource, {}).id, n.name);
  }
  const images: PlanImage[] = recorded
    .filter((r) => r.type === 'docker:index/image:Image')
    .map((r) => ({
      resource: r.name,
      imageName: asString(r.inputs.imageName) ?? r.name,
      build: buildOf(infraDir, r.inputs.build),
    }));
  // A container names a built image by its id (repoDigest), or by its name.
  const imageByRef = new Map<string, PlanImage>();
  for (const [i, image] of images.entries()) {
    const r = recorded.filter((x) => x.type === 'docker:index/image:Image')[i];
    imageByRef.set(image.imageName, image);
    imageByRef.set(providerAnswer(r.type, r.name, r.inputs).id, image);
  }

  const containers = recorded
    .filter((r) => r.type === 'docker:index/container:Container')
    .map((r): Omit<PlanContainer, 'role' | 'replicaId'> => {
      const i = r.inputs;
      const declared = asString(i.image) ?? '';
      const built = imageByRef.get(declared);
      // A built image is shown by the tag its build gives it (what `docker run` would take).
      const image = built?.imageName ?? declared;
      const networksAdvanced: PlanAttachment[] = asArray(i.networksAdvanced).map((n) => {
        const a = (n ?? {}) as Dict;
        const ref = asString(a.name) ?? '';
        return { network: networkByRef.get(ref) ?? ref, aliases: asStrings(a.aliases) ?? [] };
      });
      const health = i.healthcheck as Dict | undefined;
      return {
        resource: r.name,
        name: asString(i.name),
        image,
        build: built?.build,
        env: envOf(i.envs),
        networks: networksAdvanced,
        networkMode: asString(i.networkMode),
        ports: asArray(i.ports).map((p) => {
          const port = (p ?? {}) as Dict;
          return {
            internal: Number(port.internal),
            external: port.external === undefined ? undefined : Number(port.external),
            ip: asString(port.ip),
            protocol: asString(port.protocol),
          };
        }),
        labels: labelsOf(i.labels),
        command: asStrings(i.command),
        entrypoint: asStrings(i.entrypoints),
        restart: asString(i.restart),
        healthcheck: health
          ? {
              tests: asStrings(health.tests) ?? [],
              interval: asString(health.interval),
              timeout: asString(health.timeout),
              retries: typeof health.retries === 'number' ? health.retries : undefined,
              startPeriod: asString(health.startPeriod),
            }
          : undefined,
        user: asString(i.user),
      };
    });

  const known = new Set([
    'docker:index/network:Network',
    'docker:index/image:Image',
    'docker:index/container:Container',
  ]);
  return {
    ok: true,
    plan: {
      infraDir,
      project: projectName,
      stack: request.stack,
      config,
      networks,
      images,
      containers,
      others: recorded.filter((r) => !known.has(r.type)).map((r) => ({ type: r.type, name: r.name })),
      outputs,
      millis: Date.now() - started,
    },
  };
}

async function main(): Promise<void> {
  const [infraDirArg, outFile] = process.argv.slice(2);
  const infraDir = resolve(infraDirArg);
  const request = JSON.parse(process.env.PLAN_REQUEST ?? '{"stack":"dev","config":{}}') as PlanRequest;
  // Pulumi resolves relative paths (build contexts) against the project folder.
  process.chdir(infraDir);
  let result: EvaluationResult;
  try {
    result = await evaluate(infraDir, request);
  } catch (error) {
    result = { ok: false, error: `it could not be evaluated: ${messageOf(error)}${whereIn(infraDir, error)}.` };
  }
  writeFileSync(outFile, JSON.stringify(result));
  process.exit(0);
}

if (require.main === module) {
  void main();
}
