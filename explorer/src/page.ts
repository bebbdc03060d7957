import type { BlockInfo, Chain } from './chain';
import type { Prefetched } from './hotspots';
import { esc } from './util';

export interface PageCtx {
  chain: Chain;
  params: string[];
  query: URLSearchParams;
  /** The map's hotspots as read at page start, before @polkadot/api was up (first map page only). */
  prefetch?: Promise<Prefetched | null>;
}

export interface Page {
  mount(el: HTMLElement): void;
  /** Called with the best block on connection and after every new block, never concurrently. */
  refresh(block: BlockInfo): Promise<void>;
  unmount(): void;
  waiting?(): void;
  setError?(message: string | null): void;
}

/** The common frame: a title, "as of block #N", an error line, a body. */
export abstract class BasePage implements Page {
  protected root!: HTMLElement;
  protected body!: HTMLElement;
  protected ctx: PageCtx;
  protected alive = true;
  constructor(ctx: PageCtx) {
    this.ctx = ctx;
  }
  abstract title(): string;
  mount(el: HTMLElement): void {
    this.root = el;
    el.innerHTML = `<h2>${esc(this.title())}</h2><div class="asof" data-testid="page-block">waiting for the node…</div><div class="error" hidden></div><div class="body"><p class="dim">Loading…</p></div>`;
    this.body = el.querySelector('.body')!;
  }
  waiting(): void {
    const a = this.root.querySelector<HTMLElement>('.asof');
    if (a) a.textContent = 'waiting for the node…';
  }
  setError(message: string | null): void {
    const e = this.root.querySelector<HTMLElement>('.error');
    if (!e) return;
    e.hidden = !message;
    e.textContent = message ? `Could not read the chain: ${message}` : '';
  }
  protected asOf(block: { number: number; hash: string }) {
    const a = this.root.querySelector<HTMLElement>('.asof');
    if (!a) return;
    a.dataset.number = String(block.number);
    a.dataset.hash = block.hash;
    a.textContent = `as of block #${block.number}`;
  }
  abstract refresh(block: BlockInfo): Promise<void>;
  unmount(): void {
    this.alive = false;
  }
}
