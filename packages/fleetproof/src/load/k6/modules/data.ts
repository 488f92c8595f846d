/** k6/data SharedArray: built once in the test by its function, then read by every VU. */
import { K6ScriptError, requireInit, vu } from '../vu-state.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class SharedArray {
  constructor(name: string, build: () => unknown[]) {
    requireInit('new SharedArray()');
    if (typeof name !== 'string' || name === '') throw new K6ScriptError('SharedArray: a name is required');
    const { transport: channel } = vu();
    let data = channel.call<{ data: unknown[] | undefined }>({ op: 'shared-get', name }).data;
    if (data === undefined) {
      const built = build();
      if (!Array.isArray(built))
        throw new K6ScriptError(`SharedArray ${name}: the function must return an array`);
      // What the function returns is stored as k6 stores it: a JSON copy.
      data = JSON.parse(JSON.stringify(built)) as unknown[];
      channel.call({ op: 'shared-set', name, data });
    }
    // An array, frozen, as k6's SharedArray is read-only.
    // biome-ignore lint/correctness/noConstructorReturn: k6's SharedArray is used as an array.
    return deepFreeze(data) as unknown as SharedArray;
  }
}

export default { SharedArray };
