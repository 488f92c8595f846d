/** Terminal output helpers: colour only on a TTY and never when NO_COLOR is set. */
const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;

const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');

export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function errorLine(text: string): void {
  process.stderr.write(`${red('error')} ${text}\n`);
}
