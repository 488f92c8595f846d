import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { RefusedScript, UnsupportedInScript } from '../importers/unsupported.js';
import { isObj, type Obj } from '../plain-values.js';
import { unsupportedItems } from './artillery-unsupported.js';
import { parseCsv } from './csv.js';

/** A payload file read as Artillery reads it (csv-parse with cast, from_line 2 with skipHeader). */
export interface Payload {
  fields: string[];
  rows: unknown[][];
  order: 'random' | 'sequence';
  loadAll: boolean;
  name?: string;
}

/** An Artillery test after Artillery's own preparation: merged, environment applied, payloads read. */
export interface ArtilleryScript {
  path: string;
  config: Obj;
  scenarios: Obj[];
  environment?: string;
  payloads: Payload[];
  /** Absolute path of config.processor. */
  processorPath?: string;
}

export interface ArtilleryOptions {
  /** -e / --environment: a key of config.environments, merged over config. */
  environment?: string;
  /** --config: a file whose config section is merged over the script's (processor resolved beside it). */
  configFile?: string;
  /** --overrides: JSON merged over the script, arrays replaced. */
  overrides?: string;
  /** --target: config.target's value (Artillery's `run --target`), so a script may leave it out. */
  target?: string;
}

/** lodash.merge: objects merged key by key, arrays merged by index (as Artillery merges scripts). */
export function deepMerge(target: unknown, source: unknown, replaceArrays = false): unknown {
  if (Array.isArray(source)) {
    if (replaceArrays || !Array.isArray(target)) return source.map((v) => deepMerge(undefined, v));
    const out = [...target];
    source.forEach((v, i) => {
      out[i] = deepMerge(target[i], v, replaceArrays);
    });
    return out;
  }
  if (isObj(source)) {
    const out: Obj = isObj(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(source)) out[k] = deepMerge(out[k], v, replaceArrays);
    return out;
  }
  return source === undefined ? target : source;
}

function readYamlOrJson(path: string): {
  value: unknown;
  lineOf: (at: (string | number)[]) => number | undefined;
} {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw new Error(`${path}: not valid YAML: ${doc.errors[0]?.message}`);
  return {
    value: doc.toJS(),
    lineOf: (at) => {
      const node = doc.getIn(at, true) as { range?: [number, number, number] } | undefined;
      const key =
        at.length > 0
          ? (doc.getIn(at.slice(0, -1), true) as
              | { items?: { key?: { value?: unknown; range?: number[] } }[] }
              | undefined)
          : undefined;
      const keyNode = key?.items?.find((item) => item.key?.value === at.at(-1))?.key;
      const offset = keyNode?.range?.[0] ?? node?.range?.[0];
      return offset === undefined ? undefined : lines.linePos(offset).line;
    },
  };
}

/** Reads an Artillery test as `artillery run [-e env] [--config file] [--overrides json] script` would. */
export function readArtilleryScript(
  path: string,
  options: ArtilleryOptions = {},
  text?: string,
): ArtilleryScript {
  const main =
    text !== undefined
      ? { value: parseDocument(text).toJS() as unknown, lineOf: () => undefined }
      : readYamlOrJson(path);
  let doc = main.value;
  let processorBase = dirname(path);
  if (options.configFile) {
    const extra = readYamlOrJson(options.configFile).value;
    doc = deepMerge(doc, extra);
    if (isObj(extra) && isObj(extra.config) && typeof extra.config.processor === 'string')
      processorBase = dirname(options.configFile);
  }
  return prepareArtilleryScript(path, doc, options, main.lineOf, processorBase);
}

/** The same, from an object (a .ts test, a fleetproof.config.ts scenario). */
export function prepareArtilleryScript(
  path: string,
  raw: unknown,
  options: ArtilleryOptions = {},
  lineOf: (at: (string | number)[]) => number | undefined = () => undefined,
  processorBase = dirname(path),
): ArtilleryScript {
  if (!isObj(raw) || !isObj(raw.config) || !Array.isArray(raw.scenarios)) {
    throw new UnsupportedInScript(
      path,
      'a file without config and scenarios',
      'expected an Artillery test script',
    );
  }
  const problems = unsupportedItems(raw).map((p) => {
    const line = lineOf(p.at);
    return `${line ? `line ${line}: ` : ''}${p.what}`;
  });
  if (problems.length > 0) throw new RefusedScript(path, 'Artillery', problems);
  let doc: Obj = raw;
  let config = doc.config as Obj;
  if (options.environment) {
    const envs = isObj(config.environments) ? config.environments : {};
    if (!isObj(envs[options.environment])) {
      throw new UnsupportedInScript(
        path,
        `-e ${options.environment}: no such environment`,
        `config.environments has ${Object.keys(envs).join(', ') || 'none'}`,
      );
    }
    config = deepMerge(config, envs[options.environment]) as Obj;
    doc = { ...doc, config };
  }
  if (options.overrides) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options.overrides);
    } catch (error) {
      throw new Error(
        `--overrides: got ${JSON.stringify(options.overrides)}, expected JSON (${(error as Error).message})`,
      );
    }
    doc = deepMerge(doc, parsed, true) as Obj;
    config = doc.config as Obj;
  }
  if (options.target !== undefined) config = { ...config, target: options.target };
  if (typeof config.target !== 'string')
    throw new UnsupportedInScript(
      path,
      'config.target missing',
      'expected a URL (or --target, or -e with an environment that sets it)',
    );
  const base = dirname(path);
  const payloadSpecs =
    config.payload === undefined ? [] : Array.isArray(config.payload) ? config.payload : [config.payload];
  const payloads = payloadSpecs.map((spec, i) => readPayload(path, base, spec as Obj, i));
  const processorPath =
    typeof config.processor === 'string' ? resolve(processorBase, config.processor) : undefined;
  if (processorPath && !existsSync(processorPath))
    throw new Error(`${path}: config.processor: no file at ${processorPath}`);
  return {
    path,
    config,
    scenarios: doc.scenarios as Obj[],
    ...(options.environment ? { environment: options.environment } : {}),
    payloads,
    ...(processorPath ? { processorPath } : {}),
  };
}

function readPayload(path: string, base: string, spec: Obj, i: number): Payload {
  if (typeof spec.path !== 'string')
    throw new Error(`${path}: config.payload[${i}].path: expected the path of a CSV file`);
  const file = resolve(base, spec.path);
  if (!existsSync(file)) throw new Error(`${path}: config.payload[${i}].path: no file at ${file}`);
  let rows: unknown[][] = parseCsv(
    readFileSync(file, 'utf8'),
    typeof spec.delimiter === 'string' ? spec.delimiter : ',',
  );
  if (spec.skipHeader === true) rows = rows.slice(1);
  // csv-parse's cast (on unless cast: false): numbers become numbers.
  if (spec.cast !== false)
    rows = rows.map((r) =>
      r.map((v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v)),
    );
  return {
    fields: Array.isArray(spec.fields) ? spec.fields.map(String) : [],
    rows,
    order: spec.order === 'sequence' ? 'sequence' : 'random',
    loadAll: spec.loadAll === true,
    ...(typeof spec.name === 'string' ? { name: spec.name } : {}),
  };
}
