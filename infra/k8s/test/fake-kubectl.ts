import type { Kubectl, KubectlResult } from '../src/kubectl.js';

export interface KubectlCall {
  args: string[];
  stdin: string | undefined;
}

/**
 * A kubectl stand-in for the steps only a cluster answers (apply, wait, rollout, logs): it records every call
 * and answers from `respond`, by the arguments. A real kubectl with no context is used where it can answer.
 */
export function fakeKubectl(respond: (args: string[], stdin?: string) => Partial<KubectlResult> | undefined) {
  const calls: KubectlCall[] = [];
  const kubectl: Kubectl = async (args, stdin) => {
    calls.push({ args: [...args], stdin });
    const r = respond([...args], stdin) ?? {};
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return { kubectl, calls };
}
