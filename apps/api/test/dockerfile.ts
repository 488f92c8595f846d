import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** A small Dockerfile reader: joins continuation lines, drops comments, substitutes global ARG defaults. */
export function parseDockerfile(path: string): Stage[] {
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ').replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs.get(name) ?? '');
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = args.split('=');
      globalArgs.set(name, value);
    } else if (upper === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: match?.[1] ?? '', name: match?.[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
    });
}

/** The exec-form CMD of a stage, following FROM <stage> inheritance. */
export function cmdOf(stages: Stage[], name: string): string[] | undefined {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return undefined;
  const cmd = stage.instructions.findLast((i) => i.keyword === 'CMD');
  if (cmd) return JSON.parse(cmd.args) as string[];
  return cmdOf(stages, stage.base);
}

/** The effective USER of a stage, following FROM <stage> inheritance (root when never set). */
export function userOf(stages: Stage[], name: string): string {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return 'root';
  const user = stage.instructions.findLast((i) => i.keyword === 'USER');
  return user ? user.args : userOf(stages, stage.base);
}

/** .dockerignore patterns as regular expressions (`**` any depth, `*` within one segment). */
export function dockerignoreMatchers(path: string): RegExp[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((pattern) => {
      const body = pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*\*/g, '.*')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
}
