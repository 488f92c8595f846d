import { spawn } from 'node:child_process';

/** What one kubectl call returned. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with arguments and optional stdin (manifests, the Secret: never written to disk). */
export type Kubectl = (args: readonly string[], stdin?: string) => Promise<KubectlResult>;

/** kubectl is not installed (ENOENT), told apart from kubectl failing. */
export class KubectlMissing extends Error {
  override name = 'KubectlMissing';
}

export function systemKubectl(binary = process.env.KUBECTL ?? 'kubectl'): Kubectl {
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new KubectlMissing(`${binary}: not found on PATH`) : error),
      );
      child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
}

/** The current context's name, or why there is none (kubectl missing, no kubeconfig, no current context). */
export async function currentContext(kubectl: Kubectl): Promise<{ context: string } | { none: string }> {
  try {
    const r = await kubectl(['config', 'current-context']);
    const context = r.stdout.trim();
    if (r.code === 0 && context) return { context };
    return { none: r.stderr.trim() || 'kubectl config current-context printed nothing' };
  } catch (error) {
    if (error instanceof KubectlMissing) return { none: error.message };
    throw error;
  }
}
