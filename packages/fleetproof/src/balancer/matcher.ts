/** ALB success-code matcher: "200", "200,202", "200-299" → a predicate on status codes. */
export function parseMatcher(spec: string): (status: number) => boolean {
  const ranges = spec.split(',').map((part) => {
    const [low, high = low] = part.split('-').map(Number);
    return [low ?? 0, high ?? 0] as const;
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}
