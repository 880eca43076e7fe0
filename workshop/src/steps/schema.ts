/**
 * Validates a JSON value against a JSON Schema, for the keywords the
 * workshop's own schemas use (steps/steps.schema.json): type, required,
 * properties, additionalProperties, items, enum, minimum, minLength,
 * minItems, pattern. An unknown keyword is an error, so a schema cannot
 * silently ask for more than this checks. Returns one line per problem.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}

/** Keywords that only document (or identify) a schema. */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const CHECKED = new Set([
  'type',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'enum',
  'minimum',
  'minLength',
  'minItems',
  'pattern',
]);

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validate(value: unknown, schema: Schema, path = '(root)'): string[] {
  const unknown = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k) && !CHECKED.has(k));
  if (unknown.length)
    throw new Error(`schema at ${path} uses keywords this validator does not check: ${unknown.join(', ')}`);
  if (schema.type && typeOf(value) !== schema.type)
    return [`${path}: should be ${schema.type === 'integer' ? 'an' : 'a'} ${schema.type}, is ${JSON.stringify(value)}`];
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value))
    problems.push(
      `${path}: should be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, is ${JSON.stringify(value)}`,
    );
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum)
    problems.push(`${path}: should be at least ${schema.minimum}, is ${value}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push(`${path}: should have at least ${schema.minLength} characters`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      problems.push(`${path}: "${value}" should match /${schema.pattern}/`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      problems.push(`${path}: should have at least ${schema.minItems} item(s)`);
    if (schema.items) value.forEach((item, i) => problems.push(...validate(item, schema.items!, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${path}: "${key}" is required`);
    for (const [key, item] of Object.entries(record)) {
      const sub = schema.properties?.[key];
      if (sub) problems.push(...validate(item, sub, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: "${key}" is not a known field`);
    }
  }
  return problems;
}
