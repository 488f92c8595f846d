import { K8sConfigError, type K8sSettings } from './k8s-settings.js';

/** One container environment entry, as the Kubernetes API has it. */
export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

const DB_TEMPLATE = /^\{\{\s*db\.(url|host|port|user|password|name)\s*\}\}$/;
const ANY_TEMPLATE = /\{\{[^}]*\}\}/;
/** A connection string with a password in it: what must never be written into a manifest. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@]+:[^/@]+@/i;

/**
 * The container's environment: the service's own variables as values, and every database variable from the
 * Secret, by reference. `{{ db.X }}` templates become references to the Secret's key X; any other template,
 * or a literal URL with a password, is refused: a manifest is committed and applied in plain text.
 */
export function containerEnv(s: K8sSettings): EnvVar[] {
  const env: EnvVar[] = [];
  const refused: string[] = [];
  const secret = s.database?.secretName;
  const fromSecret = (name: string, key: string): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secret as string, key } },
  });
  for (const [name, value] of Object.entries(s.serviceEnv)) {
    const db = DB_TEMPLATE.exec(value);
    if (db && secret) env.push(fromSecret(name, db[1] as string));
    else if (ANY_TEMPLATE.test(value))
      refused.push(
        `service.env.${name}: got ${JSON.stringify(value)}, a template the cluster cannot resolve; expected a plain value or exactly {{ db.url|host|port|user|password|name }}${secret ? '' : ' (with a database section)'}`,
      );
    else if (URL_WITH_PASSWORD.test(value))
      refused.push(
        `service.env.${name}: a URL with a password in it; expected it in a Secret (it would be plain text in the manifest)`,
      );
    else env.push({ name, value });
  }
  if (refused.length > 0) throw new K8sConfigError(refused.join('\n'));
  for (const [name, key] of Object.entries(s.databaseEnv))
    if (!env.some((e) => e.name === name)) env.push(fromSecret(name, key));
  return env.sort((a, b) => a.name.localeCompare(b.name));
}
