/**
 * The training progress bar: cli-progress (an optional peer) when it is
 * installed, otherwise one plain line every 10 s with the same fields.
 */
import { importOptional, MissingPeerError } from '../node/optional.js';

/** The bar's fields, filled into its format's `{name}` slots. */
export type ProgressFields = Readonly<Record<string, string>>;

/** What the train command needs of a progress bar. */
export interface ProgressBar {
  start(total: number, value: number, fields: ProgressFields): void;
  setTotal(total: number): void;
  update(value: number, fields?: ProgressFields): void;
  update(fields: ProgressFields): void;
  stop(): void;
}

interface CliProgressModule {
  SingleBar: new (options: Record<string, unknown>) => ProgressBar;
}

/** A bar printing `format` (cli-progress syntax, `{bar}` left out) as a plain line at most every `everyMs`. */
export function plainProgress(format: string, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), everyMs = 10_000): ProgressBar {
  let total = 0;
  let value = 0;
  let fields: Record<string, string> = {};
  let last = -Infinity;
  const render = () => format.replace(/\s*\[\{bar\}\]\s*/, ' ').replace(/\{(\w+)\}/g, (_, key: string) => (key === 'value' ? String(value) : key === 'total' ? String(total) : (fields[key] ?? '-')));
  const print = (force: boolean) => {
    const now = Date.now();
    if (force || now - last >= everyMs) {
      last = now;
      write(render());
    }
  };
  return {
    start(t, v, f) {
      total = t;
      value = v;
      fields = { ...f };
      print(true);
    },
    setTotal(t) {
      total = t;
    },
    update(a: number | ProgressFields, f?: ProgressFields) {
      if (typeof a === 'number') {
        value = a;
        fields = { ...fields, ...f };
      } else fields = { ...fields, ...a };
      print(false);
    },
    stop() {
      print(true);
    },
  };
}

/** cli-progress's bar with `format`, or {@link plainProgress} when cli-progress is not installed. */
export async function progressBar(format: string): Promise<ProgressBar> {
  try {
    const module = await importOptional<CliProgressModule & { default?: CliProgressModule }>('cli-progress', 'the progress bar');
    const { SingleBar } = module.SingleBar === undefined ? module.default! : module;
    return new SingleBar({ format, noTTYOutput: true, notTTYSchedule: 10_000, hideCursor: true });
  } catch (error) {
    if (error instanceof MissingPeerError) return plainProgress(format);
    throw error;
  }
}
