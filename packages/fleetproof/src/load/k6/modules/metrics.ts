/** k6/metrics: custom metrics declared in the init context, samples tagged like k6's. */

import { baseTags, emit, K6ScriptError, requireInit, vu } from '../vu-state.js';
import type { MetricSample } from '../wire.js';

const NAME = /^[\p{L}\p{N}._!?/&#()<>%-]{1,128}$/u;
export const declared: { name: string; type: MetricSample['type']; isTime: boolean }[] = [];

class Metric {
  constructor(
    readonly name: string,
    private readonly type: MetricSample['type'],
    private readonly isTime: boolean,
  ) {
    requireInit(`new ${type[0]?.toUpperCase()}${type.slice(1)}()`);
    if (!NAME.test(name)) throw new K6ScriptError(`metric name ${JSON.stringify(name)} is not valid in k6`);
    const known = declared.find((m) => m.name === name);
    if (known && known.type !== type)
      throw new K6ScriptError(`metric ${name} is already declared as a ${known.type}`);
    if (!known) declared.push({ name, type, isTime });
  }

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    if (vu().phase === 'init')
      throw new K6ScriptError('metrics can only be added to outside the init context');
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    if (Number.isNaN(n))
      throw new K6ScriptError(`${this.name}.add: got ${JSON.stringify(value)}, expected a number`);
    const v = this.type === 'rate' ? (n !== 0 ? 1 : 0) : n;
    emit({
      metric: this.name,
      type: this.type,
      isTime: this.isTime,
      value: v,
      tags: { ...baseTags(), ...tags },
    });
  }
}

export class Counter extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'counter', isTime);
  }
}
export class Gauge extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'gauge', isTime);
  }
}
export class Rate extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'rate', isTime);
  }
}
export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}

export default { Counter, Gauge, Rate, Trend };
