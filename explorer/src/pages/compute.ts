// Compute: the registered ONNX models, the bonded providers, and the latest jobs with each
// worker's commit-reveal state (`ComputeApi::job`), the agreed result, and who was paid or
// struck (the WorkerPaid / ProviderStruck events of the block that finished the job).
import type { ApiPromise } from '@polkadot/api';
import type { BlockInfo } from '../chain';
import { BasePage } from '../page';
import { accountLink, asy, esc, pool, short, table, variant, variantValue } from '../util';

const JOBS_SHOWN = 30;

interface JobJson {
  owner: string;
  model: string;
  input: string;
  fee: number | string;
  redundancy: number;
  quorum: number;
  submittedAt: number;
  phase: unknown;
  due: number;
  assignments: Array<{ worker: string; rank: string; work: unknown }>;
  result: number[] | null;
}
interface Outcome {
  paid: Map<string, string>;
  struck: Map<string, string>;
}

/** SCALE bytes (hex) as UTF-8 text. */
function text(hex: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from((hex.slice(2).match(/../g) ?? []).map((h) => parseInt(h, 16))));
  } catch {
    return hex;
  }
}

const outcomes = new WeakMap<ApiPromise, Map<number, Outcome>>();

async function outcomeOf(api: ApiPromise, job: number, atBlock: number): Promise<Outcome | null> {
  let cache = outcomes.get(api);
  if (!cache) outcomes.set(api, (cache = new Map()));
  const hit = cache.get(job);
  if (hit) return hit;
  try {
    const hash = await api.rpc.chain.getBlockHash(atBlock);
    const events = (await (await api.at(hash)).query.system.events()) as unknown as Array<{ event: { section: string; method: string; data: Array<{ toString(): string; toJSON(): unknown }> } }>;
    const o: Outcome = { paid: new Map(), struck: new Map() };
    for (const { event } of events) {
      if (event.section !== 'computeMarket') continue;
      if (event.method === 'WorkerPaid' && Number(event.data[0].toJSON()) === job) o.paid.set(event.data[1].toString(), asy(event.data[2].toString()));
      if (event.method === 'ProviderStruck' && Number(event.data[1].toJSON()) === job) o.struck.set(event.data[0].toString(), variant(event.data[2].toJSON()));
    }
    cache.set(job, o);
    return o;
  } catch {
    return null; // state pruned
  }
}

function workText(w: unknown): string {
  const name = variant(w);
  const v = variantValue(w);
  if (name === 'Committed') return `Committed <span class="mono dim">${esc(String(v).slice(0, 12))}…</span>`;
  if (name === 'Revealed') return `Revealed [${esc((v as number[]).join(', '))}]`;
  if (name === 'Failed') return `Failed: ${esc(variant(v))}`;
  return esc(name);
}

export class ComputePage extends BasePage {
  title() {
    return 'Compute market';
  }
  async refresh(block: BlockInfo) {
    const api = this.ctx.chain.api!;
    const at = await api.at(block.hash);
    const [models, providersE, nextJob] = await Promise.all([at.call.computeApi.models(), at.query.computeMarket.providers.entries(), at.query.computeMarket.nextJobId()]);
    const modelList = (models.toJSON() as Array<[string, { name: string; inputLen: number; outputLen: number; fractionBits: number; classifier: boolean; absoluteTolerance: number; relativeTolerancePpm: number; uri: string | null; openJobs: number; registrar: string; deposit: number | string }]>).map(([id, m]) => ({
      id,
      m,
      name: text(m.name),
      uri: m.uri ? text(m.uri) : null,
    }));
    const names = new Map(modelList.map((x) => [x.id, x.name]));
    const next = nextJob.toJSON() as number;
    const ids: number[] = [];
    for (let id = next - 1; id >= 0 && ids.length < JOBS_SHOWN; id--) ids.push(id);
    const jobs = await pool(ids, 8, async (id) => ({ id, j: (await at.call.computeApi.job(id)).toJSON() as JobJson | null }));
    const withOutcome = await pool(jobs, 4, async ({ id, j }) => {
      const phase = j ? variant(j.phase) : '';
      const done = j && (phase === 'Completed' || phase === 'Failed') ? (variantValue(j.phase) as { at: number }).at : null;
      return { id, j, phase, done, outcome: done !== null ? await outcomeOf(api, id, done) : null };
    });
    if (!this.alive) return;

    let html = `<h3>Models: ${modelList.length}</h3>`;
    html += table(
      ['Model', 'Name', 'in → out', 'kind', 'tolerance', 'open jobs', 'registrar', 'card'],
      modelList.map((x) => [x.id, x.m, x.name, x] as const).map(([id, m, name, x]) => [
        `<span class="mono" title="${esc(id)}">${esc(short(id))}</span>`,
        esc(name),
        `${m.inputLen} → ${m.outputLen} (Q${m.fractionBits})`,
        m.classifier ? 'classifier' : 'regression',
        `±${m.absoluteTolerance} or ${m.relativeTolerancePpm} ppm`,
        String(m.openJobs),
        accountLink(m.registrar),
        x.uri ? esc(x.uri) : '–',
      ]),
      'data-testid="models"',
    );
    html += `<h3>Providers: ${providersE.length}</h3>`;
    html += table(
      ['Provider', 'bond', 'models', 'open assignments', 'jobs served', 'strikes', 'status'],
      providersE.map(([k, v]) => {
        const p = v.toJSON() as { bond: number | string; models: string[]; suspendedUntil: number | null; unbondingAt: number | null; openAssignments: number; jobsServed: number; strikes: number[] };
        return [
          accountLink(k.args[0].toString()),
          asy(p.bond),
          p.models.map((m) => esc(names.get(m) ?? short(m))).join(', '),
          String(p.openAssignments),
          String(p.jobsServed),
          String(p.strikes.length),
          p.suspendedUntil ? `suspended until #${p.suspendedUntil}` : p.unbondingAt ? `unbonding at #${p.unbondingAt}` : 'active',
        ];
      }),
      'data-testid="providers"',
    );
    html += `<h3>Jobs: ${next} submitted (latest ${Math.min(next, JOBS_SHOWN)} shown)</h3>`;
    for (const { id, j, phase, done, outcome } of withOutcome) {
      if (!j) {
        html += `<div class="job" data-testid="job" data-job="${id}"><b>Job ${id}</b> <span class="dim">no longer stored</span></div>`;
        continue;
      }
      const pv = variantValue(j.phase) as { until?: number; at?: number; reason?: unknown } | null;
      const phaseDetail = pv?.until !== undefined ? ` until #${pv.until}` : pv?.at !== undefined ? ` at #${pv.at}` : '';
      html += `<div class="job" data-testid="job" data-job="${id}">
        <div><b>Job ${id}</b> · model ${esc(names.get(j.model) ?? short(j.model))} · owner ${accountLink(j.owner)} · fee ${asy(j.fee)} · n = ${j.redundancy}, k = ${j.quorum} · submitted #${j.submittedAt} · <span data-testid="job-phase">${esc(phase)}</span>${phaseDetail}${pv?.reason ? ` (${esc(variant(pv.reason))})` : ''}</div>
        <div>Agreed result: <span class="mono" data-testid="job-result">${j.result ? `[${j.result.join(', ')}]` : '–'}</span></div>
        ${table(
          ['Worker', 'state', 'outcome'],
          j.assignments.map((a) => [
            `<span data-testid="job-worker" data-worker="${esc(a.worker)}">${accountLink(a.worker)}</span>`,
            `<span data-testid="work-state">${workText(a.work)}</span>`,
            outcome
              ? outcome.paid.has(a.worker)
                ? `<span class="ok" data-testid="worker-outcome">paid ${esc(outcome.paid.get(a.worker))}</span>`
                : outcome.struck.has(a.worker)
                  ? `<span class="bad" data-testid="worker-outcome">struck (${esc(outcome.struck.get(a.worker))})</span>`
                  : '<span data-testid="worker-outcome">neither</span>'
              : done !== null
                ? 'events no longer available'
                : '–',
          ]),
        )}</div>`;
    }
    this.body.innerHTML = html;
    this.asOf(block);
  }
}
