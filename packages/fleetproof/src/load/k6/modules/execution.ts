/** k6/execution: where this VU and iteration are in the test. */

import { K6ScriptError, VuStopped, vu } from '../vu-state.js';
import type { InstanceState } from '../wire.js';

const iteration = () => {
  const it = vu().iteration;
  if (!it) throw new K6ScriptError('k6/execution: iteration data is only available inside a VU function');
  return it;
};
const instance = () => vu().transport.call<InstanceState>({ op: 'instance' });

const execution = {
  vu: {
    get idInTest() {
      return vu().idInTest;
    },
    get idInInstance() {
      return vu().idInTest;
    },
    get iterationInInstance() {
      return iteration().iterationInInstance;
    },
    get iterationInScenario() {
      return iteration().iterationInScenario;
    },
    get tags() {
      return vu().tags;
    },
    metrics: {
      get tags() {
        return vu().tags;
      },
      metadata: {},
    },
  },
  scenario: {
    get name() {
      return iteration().scenario.name;
    },
    get executor() {
      return iteration().scenario.executor;
    },
    get startTime() {
      return iteration().scenario.startTime;
    },
    get iterationInInstance() {
      return iteration().scenario.iterationInTest;
    },
    get iterationInTest() {
      return iteration().scenario.iterationInTest;
    },
    get progress() {
      throw new K6ScriptError('exec.scenario.progress is not supported by fleetproof load');
    },
  },
  instance: {
    get vusActive() {
      return instance().vusActive;
    },
    get vusInitialized() {
      return instance().vusInitialized;
    },
    get iterationsCompleted() {
      return instance().iterationsCompleted;
    },
    get iterationsInterrupted() {
      return instance().iterationsInterrupted;
    },
    get currentTestRunDuration() {
      return instance().currentTestRunDuration;
    },
  },
  test: {
    abort(reason = 'test aborted by the script'): never {
      vu().transport.call({ op: 'abort', reason: String(reason) });
      throw new VuStopped();
    },
    get options() {
      return vu().options;
    },
  },
};

export default execution;
