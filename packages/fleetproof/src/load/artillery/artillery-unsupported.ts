/**
 * What fleetproof would not run as Artillery does: every key, step, plugin and capture of a test outside what
 * it implements, with where it is in the file (refused up front, all at once).
 */
import { asList, isObj, type Obj } from '../plain-values.js';

const SINGLE_KEY_STEPS = ['think', 'log', 'function'];
const CONFIG_KEYS = [
  'target',
  'phases',
  'ensure',
  'http',
  'processor',
  'variables',
  'payload',
  'environments',
  'plugins',
  'defaults',
  'timeout',
  'name',
];
const HTTP_KEYS = ['timeout', 'defaults', 'extendedMetrics'];
const PHASE_KEYS = ['duration', 'arrivalRate', 'rampTo', 'arrivalCount', 'pause', 'maxVusers', 'name'];
const SCENARIO_KEYS = [
  'name',
  'weight',
  'flow',
  'beforeScenario',
  'afterScenario',
  'beforeRequest',
  'afterResponse',
  'onError',
];
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const REQUEST_KEYS = [
  'url',
  'uri',
  'json',
  'body',
  'form',
  'formData',
  'qs',
  'headers',
  'cookie',
  'capture',
  'match',
  'expect',
  'beforeRequest',
  'afterResponse',
  'ifTrue',
  'followRedirect',
  'auth',
  'name',
  'probability',
  'gzip',
];
const PLUGINS = ['expect', 'ensure', 'metrics-by-endpoint', 'apdex'];
const EXPECTATIONS = [
  'statusCode',
  'notStatusCode',
  'contentType',
  'hasProperty',
  'notHasProperty',
  'equals',
  'hasHeader',
  'headerEquals',
  'matchesRegexp',
];

export interface Problem {
  at: (string | number)[];
  what: string;
}

/** Every key or step fleetproof would not run as Artillery does, with where it is. */
export function unsupportedItems(doc: Obj): Problem[] {
  const problems: Problem[] = [];
  const unknown = (value: Obj, at: (string | number)[], known: string[]) => {
    for (const key of Object.keys(value))
      if (!known.includes(key))
        problems.push({ at: [...at, key], what: [...at, key].join('.').replace(/\.(\d+)/g, '[$1]') });
  };
  for (const key of Object.keys(doc)) {
    if (key !== 'config' && key !== 'scenarios' && key !== 'before' && key !== 'after')
      problems.push({ at: [key], what: key });
    if (key === 'before' || key === 'after') problems.push({ at: [key], what: `${key} (test-level hooks)` });
  }
  const config = doc.config as Obj;
  unknown(config, ['config'], CONFIG_KEYS);
  if (isObj(config.http)) unknown(config.http, ['config', 'http'], HTTP_KEYS);
  if (isObj(config.plugins))
    for (const name of Object.keys(config.plugins))
      if (!PLUGINS.includes(name))
        problems.push({
          at: ['config', 'plugins', name],
          what: `config.plugins.${name} (fleetproof implements ${PLUGINS.join(', ')})`,
        });
  if (Array.isArray(config.phases)) {
    for (const [i, p] of config.phases.entries())
      if (isObj(p)) unknown(p, ['config', 'phases', i], PHASE_KEYS);
  }
  for (const [i, scenario] of (doc.scenarios as unknown[]).entries()) {
    if (!isObj(scenario)) continue;
    unknown(scenario, ['scenarios', i], SCENARIO_KEYS);
    if (Array.isArray(scenario.flow)) checkSteps(scenario.flow, ['scenarios', i, 'flow'], problems, unknown);
    else problems.push({ at: ['scenarios', i], what: `scenarios[${i}] without a flow` });
  }
  return problems;
}

function checkSteps(
  steps: unknown[],
  at: (string | number)[],
  problems: Problem[],
  unknown: (v: Obj, at: (string | number)[], known: string[]) => void,
): void {
  const where = (p: (string | number)[]) => p.join('.').replace(/\.(\d+)/g, '[$1]');
  for (const [j, step] of steps.entries()) {
    const here = [...at, j];
    if (!isObj(step)) {
      problems.push({ at: here, what: `${where(here)} that is not a mapping` });
      continue;
    }
    // Steps that are one key and nothing else.
    const single = SINGLE_KEY_STEPS.find((key) => key in step);
    if (single) {
      unknown(step, here, [single]);
      continue;
    }
    if ('parallel' in step) {
      unknown(step, here, ['parallel']);
      if (Array.isArray(step.parallel)) checkSteps(step.parallel, [...here, 'parallel'], problems, unknown);
      continue;
    }
    if ('loop' in step) {
      unknown(step, here, ['loop', 'count', 'over', 'whileTrue', 'loopValue', 'loopElement']);
      if (Array.isArray(step.loop)) checkSteps(step.loop, [...here, 'loop'], problems, unknown);
      continue;
    }
    const method = METHODS.find((m) => m in step);
    if (!method) {
      problems.push({
        at: [...here, Object.keys(step)[0] ?? ''],
        what: `${where(here)}.${Object.keys(step)[0] ?? '(empty)'}`,
      });
      continue;
    }
    unknown(step, here, [method]);
    const spec = step[method];
    if (!isObj(spec)) continue;
    const at2 = [...here, method];
    unknown(spec, at2, REQUEST_KEYS);
    for (const [k, capture] of [
      ...asList(spec.capture).map((c) => ['capture', c] as const),
      ...asList(spec.match).map((c) => ['match', c] as const),
    ]) {
      if (!isObj(capture)) continue;
      for (const key of ['xpath', 'selector', 'transform'])
        if (key in capture) problems.push({ at: [...at2, k], what: `${where(at2)}.${k}.${key}` });
    }
    for (const [n, e] of asList(spec.expect).entries()) {
      if (isObj(e))
        for (const key of Object.keys(e))
          if (!EXPECTATIONS.includes(key))
            problems.push({ at: [...at2, 'expect', n], what: `${where(at2)}.expect[${n}].${key}` });
    }
  }
}
