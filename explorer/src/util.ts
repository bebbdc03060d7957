// Small helpers shared by the pages: escaping, formatting, links.

/** performance.now() when the app's code began to run (its entry chunk loaded and parsed). */
export const scriptStartMs = performance.now();

/** The window event the map sends after its first full frame. */
export const MAP_FIRST_FRAME = 'assay-map-first-frame';

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 1 ASY = 10^12 plancks. */
export const UNIT = 1_000_000_000_000n;

/** Plancks as ASY with up to 4 decimals (exact digits, no float). */
export function asy(plancks: bigint | string | number): string {
  const v = BigInt(plancks);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / UNIT;
  const frac = ((a % UNIT) * 10_000n) / UNIT;
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '−' : ''}${whole.toLocaleString('en-US')}${f} ASY`;
}

export function asyNumber(plancks: bigint | string | number): number {
  return Number(BigInt(plancks)) / 1e12;
}

export function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
}

export function accountLink(id: string): string {
  return `<a class="mono" href="#/earnings/${esc(id)}" title="${esc(id)}">${esc(short(id))}</a>`;
}

export function deviceLink(id: string): string {
  return `<a class="mono" href="#/device/${esc(id)}" title="${esc(id)}" data-device="${esc(id)}">${esc(short(id))}</a>`;
}

/** A u64 H3 index (number, string or bigint as @polkadot/api's toJSON gives it) as h3-js's hex string. */
export function h3Hex(cell: unknown): string {
  return BigInt(cell as string | number | bigint).toString(16);
}

/** FixedU128 (10^18) → number. */
export function fixedU128(v: unknown): number {
  return Number(BigInt(v as string)) / 1e18;
}

/** The verdict of a witness as `toJSON` gives it, in words: Pending, Valid, Selected, or the failed check. */
export function verdictText(v: unknown): string {
  if (typeof v === 'string') return v.charAt(0).toUpperCase() + v.slice(1);
  if (v && typeof v === 'object') {
    const [k, inner] = Object.entries(v as Record<string, unknown>)[0];
    const name = k.charAt(0).toUpperCase() + k.slice(1);
    if (inner === null || inner === undefined) return name;
    const innerText = typeof inner === 'string' ? inner.charAt(0).toUpperCase() + inner.slice(1) : JSON.stringify(inner);
    return `${name}: ${innerText}`;
  }
  return String(v);
}

/** An enum value's variant name from `toJSON` ({ variant: … } or "variant"). */
export function variant(v: unknown): string {
  if (typeof v === 'string') return v.charAt(0).toUpperCase() + v.slice(1);
  if (v && typeof v === 'object') {
    const k = Object.keys(v as object)[0];
    return k.charAt(0).toUpperCase() + k.slice(1);
  }
  return String(v);
}

export function variantValue(v: unknown): unknown {
  if (v && typeof v === 'object') return Object.values(v as object)[0];
  return null;
}

/** Runs `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

export function table(headers: string[], rows: string[][], attrs = ''): string {
  return `<table ${attrs}><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
