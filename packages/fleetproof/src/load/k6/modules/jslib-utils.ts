/** jslib.k6.io/k6-utils, served locally: the helpers k6 scripts import from it. */
import { randomUUID } from 'node:crypto';

export const randomIntBetween = (min: number, max: number) =>
  Math.floor(Math.random() * (max - min + 1) + min);
export const randomItem = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export function randomString(length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string {
  let out = '';
  for (let i = 0; i < length; i++) out += charset[Math.floor(Math.random() * charset.length)];
  return out;
}

export const uuidv4 = (_secure = false) => randomUUID();

export function findBetween(
  content: string,
  left: string,
  right: string,
  repeat = false,
): string | string[] | null {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const start = content.indexOf(left, from);
    if (start < 0) break;
    const end = content.indexOf(right, start + left.length);
    if (end < 0) break;
    found.push(content.slice(start + left.length, end));
    if (!repeat) return found[0] as string;
    from = end + right.length;
  }
  return repeat ? found : null;
}

/** Stages whose targets follow a normal distribution over the duration (the jslib's helper). */
export function normalDistributionStages(maxVus: number, durationSeconds: number, numberOfStages = 10) {
  const mean = 0;
  const sigma = 1;
  const pdf = (x: number) => Math.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  const peak = pdf(0);
  const stages = [
    { duration: `${Math.ceil((durationSeconds * 0.1) / 1)}s`, target: Math.floor((maxVus * pdf(-3)) / peak) },
  ];
  for (let i = 0; i <= numberOfStages; i++) {
    const x = -3 + (6 * i) / numberOfStages;
    stages.push({
      duration: `${Math.ceil((durationSeconds * 0.8) / (numberOfStages + 1))}s`,
      target: Math.floor((maxVus * pdf(x)) / peak),
    });
  }
  stages.push({ duration: `${Math.ceil(durationSeconds * 0.1)}s`, target: 0 });
  return stages;
}

export default { randomIntBetween, randomItem, randomString, uuidv4, findBetween, normalDistributionStages };
