/** Parsed YAML/JSON as the script readers see it: plain objects, and values that may be one item or a list. */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Artillery's "one or several": undefined → [], a list as it is, anything else → [it]. */
export const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
