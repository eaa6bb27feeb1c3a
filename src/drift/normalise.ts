// Equal values written differently: "1000m" and "1" CPU, "1Gi" and "1073741824" bytes,
// port 80 and "80", true and "true". Kubernetes itself canonicalizes quantities and
// the kubernetes provider stores int-or-string fields (targetPort, replicas) as strings.

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** A Kubernetes resource.Quantity as a number; undefined for anything that is not one. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = value.trim().match(QUANTITY);
  if (!m) return undefined;
  const [, digits, suffix = '', exponent] = m;
  const n = Number(digits);
  // Divide for the small suffixes: 500 / 1000 is exactly 0.5, 500 * 0.001 need not be.
  if (suffix === 'm' || suffix === 'u' || suffix === 'n') return n / (1 / SUFFIX[suffix]!);
  return exponent === undefined ? n * SUFFIX[suffix]! : n * 10 ** Number(exponent);
}

/** Whether two scalars mean the same: identical, equal as text (80 / "80"), or equal quantities. */
export function sameScalar(expected: unknown, live: unknown): boolean {
  if (expected === live) return true;
  if (expected === null || live === null || typeof expected === 'object' || typeof live === 'object') return false;
  if (String(expected) === String(live)) return true;
  const a = quantity(expected);
  const b = quantity(live);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-12;
}

/** The zero value of its type: Kubernetes omits these (omitempty), so "absent" means the same. */
export function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
