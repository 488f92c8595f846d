/**
 * Artillery's capture and match on a response: JSONPath, a header or a regular expression; captured values are
 * set on the user's variables only when none failed, as Artillery does.
 */
import { jsonPath } from '../flow-runner.js';
import { asList, isObj, type Obj } from '../plain-values.js';
import type { ArtilleryContext, HookResponse } from './artillery-vu.js';
import { template } from './template.js';

/** capture and match (json, header, regexp): captured values set on the context; true when one failed. */
export function captureInto(params: Obj, response: HookResponse, context: ArtilleryContext): boolean {
  let failed = false;
  const values: [string, unknown][] = [];
  for (const [kind, spec] of [
    ...asList(params.capture).map((s) => ['capture', s] as const),
    ...asList(params.match).map((s) => ['match', s] as const),
  ]) {
    if (!isObj(spec)) continue;
    let value: unknown;
    if (typeof spec.json === 'string') {
      try {
        value = jsonPath(JSON.parse(response.body), String(template(spec.json, context)));
      } catch {
        value = undefined;
      }
    } else if (typeof spec.header === 'string') value = response.headers[spec.header.toLowerCase()];
    else if (typeof spec.regexp === 'string') {
      const m = new RegExp(spec.regexp, typeof spec.flags === 'string' ? spec.flags : undefined).exec(
        response.body,
      );
      value = m
        ? m[typeof spec.group === 'number' || typeof spec.group === 'string' ? (spec.group as number) : 0]
        : undefined;
    }
    const strict = spec.strict !== false;
    if (kind === 'match') {
      const ok = String(value) === String(template(spec.value, context));
      if (!ok && strict) failed = true;
      continue;
    }
    if ((value === undefined || value === '') && strict) failed = true;
    else if (typeof spec.as === 'string') values.push([spec.as, value]);
  }
  // Artillery sets captures only when none failed.
  if (!failed) for (const [name, value] of values) context.vars[name] = value;
  return failed;
}
