// A bare JSON-RPC client over one WebSocket: no metadata, no types, no subscriptions. The
// map uses it at page start to read the located hotspots while @polkadot/api (its bundle,
// the metadata, the first block: seconds in a software-rendered browser) is still coming up.

export type Send = (method: string, params: unknown[]) => Promise<unknown>;

export class RawRpc {
  private ws: WebSocket;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private opened: Promise<void>;
  private closedWith: Error | null = null;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => {
        performance.mark('rawrpc:open');
        resolve();
      };
      this.ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    this.opened.catch(() => {});
    this.ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data as string) as { id?: number; result?: unknown; error?: { message: string } };
      const w = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id!);
      if (msg.error) w.reject(new Error(msg.error.message));
      else w.resolve(msg.result);
    };
    this.ws.onclose = () => {
      this.closedWith = new Error('connection closed');
      for (const w of this.waiting.values()) w.reject(this.closedWith);
      this.waiting.clear();
    };
  }

  readonly send: Send = async (method, params) => {
    await this.opened;
    if (this.closedWith) throw this.closedWith;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, jsonrpc: '2.0', method, params }));
    });
  };

  close() {
    this.ws.close();
  }
}
