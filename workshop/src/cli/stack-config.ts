/**
 * The stack's settings (infra/Pulumi.<stack>.yaml), read and written as the
 * Pulumi CLI does, for a learner without it: keys under the project's name
 * (`workshop:mailReplicas`), values stored as strings, each key and value
 * checked against the config schema of Pulumi.yaml. Comments and keys this
 * does not know (an encryption salt, another project's settings) are kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, parse, parseDocument, YAMLMap, type Document } from 'yaml';

export interface ConfigKey {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
}

export interface Project {
  name: string;
  keys: ConfigKey[];
}

export interface Setting extends ConfigKey {
  value: string | undefined;
  /** The stack file sets it, or Pulumi.yaml's default applies. */
  from: 'stack' | 'default';
}

/** A key or value the schema does not accept: the message says what would be. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The types a learner can set from the command line (Pulumi's schema also has array and object). */
const SCALARS = new Set(['string', 'integer', 'boolean']);

export function readProject(infraDir: string): Project {
  const file = join(infraDir, 'Pulumi.yaml');
  const project = (parse(readFileSync(file, 'utf8')) ?? {}) as { name?: unknown; config?: Record<string, unknown> };
  if (typeof project.name !== 'string') throw new ConfigError(`${file} has no project name`);
  const keys = Object.entries(project.config ?? {}).map(([name, spec]): ConfigKey => {
    // A key given as a bare value is a string with that default.
    if (!spec || typeof spec !== 'object') return { name, type: 'string', default: spec };
    const s = spec as { type?: string; default?: unknown; value?: unknown; description?: string };
    return { name, type: s.type ?? 'string', default: s.default ?? s.value, description: s.description };
  });
  return { name: project.name, keys };
}

export function stackFile(infraDir: string, stack: string): string {
  return join(infraDir, `Pulumi.${stack}.yaml`);
}

function loadStack(file: string): Document {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (doc.errors.length) throw new ConfigError(`${file} is not valid YAML: ${doc.errors[0].message}`);
  return doc;
}

/**
 * The secrets the program reads (infra/config.ts) and Pulumi.yaml does not
 * declare: a declared key needs a default, and a secret's would be plain text.
 */
export const SECRET_KEYS: Record<string, string> = {
  natsToken: 'the token the NATS broker requires of every client (unset: the program generates one for the stack)',
};

/** The key as the project knows it (`mailReplicas` or `workshop:mailReplicas`), or an error listing the keys. */
export function findKey(project: Project, key: string): ConfigKey {
  const bare = key.startsWith(`${project.name}:`) ? key.slice(project.name.length + 1) : key;
  const found = project.keys.find((k) => k.name === bare);
  if (!found && SECRET_KEYS[bare])
    throw new ConfigError(
      `${bare} is a secret, ${SECRET_KEYS[bare]}: set it encrypted with the Pulumi CLI, \`npm run workshop -- pulumi config set --secret ${bare} <value>\``,
    );
  if (!found)
    throw new ConfigError(
      `"${key}" is not a setting of this stack; the settings are: ${project.keys.map((k) => k.name).join(', ')}`,
    );
  return found;
}

/** The value as Pulumi stores it (a string), or an error saying what the key takes. */
export function checkValue(key: ConfigKey, value: string): string {
  if (!SCALARS.has(key.type)) throw new ConfigError(`${key.name} is a ${key.type}: edit it in the stack file itself`);
  if (key.type === 'integer' && !/^-?\d+$/.test(value.trim()))
    throw new ConfigError(`${key.name} takes a whole number, not "${value}"`);
  if (key.type === 'boolean' && !/^(true|false)$/.test(value.trim()))
    throw new ConfigError(`${key.name} is true or false, not "${value}"`);
  return key.type === 'string' ? value : value.trim();
}

/** The stack file's entry for `key`: namespaced as Pulumi writes it, or bare as some files have it. */
function entryName(config: YAMLMap | undefined, project: Project, key: ConfigKey): string {
  const bare = key.name;
  return config?.has(bare) && !config.has(`${project.name}:${bare}`) ? bare : `${project.name}:${bare}`;
}

function configMap(doc: Document): YAMLMap | undefined {
  const config = doc.get('config', true);
  if (config === undefined || config === null || (isScalar(config) && config.value === null)) return undefined;
  if (!isMap(config)) throw new ConfigError('its `config:` is not a map of settings');
  return config;
}

const shown = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

export function readSettings(infraDir: string, stack: string): Setting[] {
  const project = readProject(infraDir);
  const config = configMap(loadStack(stackFile(infraDir, stack)));
  return project.keys.map((key) => {
    const raw = config?.get(entryName(config, project, key));
    const value = isScalar(raw) ? raw.value : raw;
    if (value === undefined || value === null) return { ...key, value: shown(key.default), from: 'default' };
    return { ...key, value: shown(value), from: 'stack' };
  });
}

export function getSetting(infraDir: string, stack: string, key: string): Setting {
  const name = findKey(readProject(infraDir), key).name;
  return readSettings(infraDir, stack).find((s) => s.name === name)!;
}

/** Sets `key` in the stack file (created if need be); `undefined` removes it, back to the default. */
export function writeSetting(infraDir: string, stack: string, key: string, value: string | undefined): Setting {
  const project = readProject(infraDir);
  const found = findKey(project, key);
  const stored = value === undefined ? undefined : checkValue(found, value);
  const file = stackFile(infraDir, stack);
  const doc = loadStack(file);
  let config: YAMLMap | undefined;
  try {
    config = configMap(doc);
  } catch (error) {
    throw new ConfigError(`${relative(process.cwd(), file)}: ${(error as Error).message}`);
  }
  if (stored !== undefined) {
    if (!config) {
      config = new YAMLMap();
      doc.set('config', config);
    }
    config.flow = false; // `config: {}` becomes a block of one line per key, as Pulumi writes it
    config.set(entryName(config, project, found), stored);
  } else {
    config?.delete(entryName(config, project, found));
  }
  writeFileSync(file, doc.toString());
  return getSetting(infraDir, stack, found.name);
}
