//! The energy market, played by households: prosumers (solar + load) and consumers (load)
//! forecast each delivery slot from daily profiles, place orders before the gate (surplus
//! sold, shortfall bought), their meters sign cumulative registers at every slot boundary
//! (feeless general transactions, bytes from `assay-wire`, `wire/src/energy.rs`), and
//! each slot is settled once its readings are in. The agent also computes every meter's
//! settlement itself (DESIGN §7's integer rules) and compares it with `PositionSettled`.

use assay_wire::energy::reading_payload;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scale_decode::DecodeAsType;
use subxt::utils::AccountId32;

use crate::chain::{batch_all, v, Account, Call, Chain, ChainEvent};
use crate::devices::{Device, Owner, ZONE};
use crate::keystore::Role;
use crate::radio::gaussian;
use crate::ui::Ui;
use assay_wire::devices::report;

/// Balance units (plancks) per µASY: prices are µASY per kWh.
pub const MICRO: i128 = 1_000_000;
/// Orders below this many Wh are not placed (the runtime's `MinOrderWh`).
const MIN_ORDER_WH: u64 = 50;
/// Slot length each chain slot stands for in the simulated day, hours.
const SIM_SLOT_HOURS: f64 = 0.25;
/// The capacity households bind their meters with, Wh per slot: a 25 kW connection over a
/// simulated 15-minute slot. Every order and register step of a household stays below it.
pub const CAPACITY_WH: u64 = 6_250;
const SETTLE: Duration = Duration::from_millis(800);

// ---- profiles (pure) ----

/// Clear-sky solar output, W, of a `peak_w` system at `hour` (0–24, local solar time):
/// a sine between sunrise (6:30) and sunset (20:30), sharpened at the ends.
pub fn solar_w(peak_w: f64, hour: f64) -> f64 {
	const SUNRISE: f64 = 6.5;
	const SUNSET: f64 = 20.5;
	if hour <= SUNRISE || hour >= SUNSET {
		return 0.0;
	}
	peak_w * (std::f64::consts::PI * (hour - SUNRISE) / (SUNSET - SUNRISE)).sin().powf(1.5)
}

/// A household's demand, W, at `hour`: a base load with morning, lunch and evening peaks.
pub fn load_w(base_w: f64, hour: f64) -> f64 {
	let bump =
		|centre: f64, width: f64, height: f64| height * (-((hour - centre) / width).powi(2)).exp();
	base_w * (0.55 + bump(8.0, 1.5, 0.45) + bump(13.0, 1.5, 0.15) + bump(20.0, 2.0, 0.9))
}

/// Energy over `[start_hour, start_hour + hours)` of a power profile, Wh (midpoint rule
/// over one-minute steps).
pub fn interval_wh(power_w: impl Fn(f64) -> f64, start_hour: f64, hours: f64) -> f64 {
	let steps = (hours * 60.0).round().max(1.0) as usize;
	let dt = hours / steps as f64;
	(0..steps).map(|i| power_w(start_hour + (i as f64 + 0.5) * dt) * dt).sum()
}

// ---- settlement arithmetic (pure; DESIGN §7, as `clients/e2e/lib/energy.mjs`) ----

/// `⌈wh·price/1000⌉` µASY.
pub fn value_up(wh: i128, price: u64) -> i128 {
	(wh * price as i128 + 999).div_euclid(1000)
}

/// `⌊wh·price/1000⌋` µASY.
pub fn value_down(wh: i128, price: u64) -> i128 {
	(wh * price as i128).div_euclid(1000)
}

/// One participant's settlement, µASY (positive: received): (trade, deviation, net).
pub fn settlement_of(
	bought_wh: u64,
	sold_wh: u64,
	metered_export_wh: i128,
	price: u64,
	import_price: u64,
	export_price: u64,
) -> (i128, i128, i128) {
	let trade = value_down(sold_wh as i128, price) - value_up(bought_wh as i128, price);
	let d = metered_export_wh - (sold_wh as i128 - bought_wh as i128);
	let deviation = if d >= 0 { value_down(d, export_price) } else { -value_up(-d, import_price) };
	(trade, deviation, trade + deviation)
}

// ---- chain types ----

#[derive(DecodeAsType, Debug, Clone)]
pub struct MarketParams {
	pub slot_length: u32,
	pub reading_window: u32,
}

#[derive(DecodeAsType, Debug, Clone)]
pub struct Zone {
	pub import_price: u64,
	pub export_price: u64,
	pub grid_account: AccountId32,
}

#[derive(DecodeAsType)]
struct OrderView {
	id: u64,
	filled_wh: Option<u64>,
}

#[derive(DecodeAsType)]
struct OrderBookView {
	bids: Vec<OrderView>,
	asks: Vec<OrderView>,
}

/// One meter in one slot: what it forecast and ordered, what it really did.
#[derive(Clone, Debug, Default)]
struct MeterSlot {
	side: Option<&'static str>,
	qty_wh: u64,
	price: u64,
	order: Option<u64>,
	filled_wh: u64,
	/// Actual net export, Wh (export − import).
	metered_export_wh: i128,
}

/// What happened in one delivery slot.
#[derive(Clone, Debug, Default)]
pub struct SlotOutcome {
	pub slot: u32,
	pub price: u64,
	pub volume: u64,
	pub settled: bool,
	pub participants: u32,
}

/// What the energy simulation saw.
#[derive(Default, Debug)]
pub struct EnergyReport {
	pub meters: u32,
	pub orders: u32,
	pub readings: u32,
	pub readings_refused: u32,
	pub slots: Vec<SlotOutcome>,
	/// PositionSettled of the agent's settlements: (owner, meter, net µASY).
	pub positions: Vec<(Account, Account, i128)>,
	/// Debts the settlements recorded, µASY.
	pub debts: u128,
	/// Positions whose net differs from the agent's own computation.
	pub mismatches: Vec<String>,
}

pub struct Energy {
	pub chain: Arc<Chain>,
	pub ui: Ui,
	pub meters: Vec<Arc<Device>>,
	pub owners: Vec<Owner>,
	/// Who sends `settle_slot` (anyone may).
	pub settler: Owner,
	pub slots: u32,
	pub start_hour: f64,
	pub seed: u64,
}

impl Energy {
	pub async fn run(&self, out: &mut EnergyReport) -> Result<()> {
		let chain = &self.chain;
		let params: MarketParams = chain.storage_value("EnergyMarket", "Params").await?;
		let zone: Zone = chain
			.storage_map("EnergyMarket", "Zones", ZONE)
			.await?
			.ok_or_else(|| anyhow::anyhow!("zone {ZONE} does not exist"))?;
		let l = params.slot_length as u64;
		let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0xE1E1);
		let meters: Vec<Arc<Device>> =
			self.meters.iter().filter(|m| m.owner != zone.grid_account.0).cloned().collect();
		if meters.len() < self.meters.len() {
			self.ui.log(
                "energy: meters owned by the zone's grid account sit out (it is every trade's counterparty)"
                    .to_string(),
            );
		}
		out.meters = meters.len() as u32;
		if meters.is_empty() || self.slots == 0 {
			return Ok(());
		}
		let k = self.slots as usize;
		let s0 = ((chain.head() + 1) / l) as u32 + 3;
		let pb = self.ui.bar("energy", self.slots as u64);
		pb.set_message(format!(
			"slots {s0}–{} (zone {ZONE}, {l}-block slots)",
			s0 + self.slots - 1
		));

		// The households' slots: forecast, order, actual.
		let mut plan: HashMap<Account, Vec<MeterSlot>> = HashMap::new();
		let mut registers: HashMap<Account, Vec<(u64, u64)>> = HashMap::new();
		for m in &meters {
			let mut slots = Vec::with_capacity(k);
			// Registers go on from the meter's last reading (an earlier run), else from a
			// random reading of a meter that has been in service a while.
			let last: Option<(u32, u64, u64)> =
				chain.storage_map("EnergyMarket", "LastReading", AccountId32(m.id)).await?;
			let fresh = (
				rng.gen_range(5_000..60_000u64),
				if m.role() == Role::Prosumer { rng.gen_range(5_000..60_000u64) } else { 0 },
			);
			let mut reg = last.map_or(fresh, |(_, import_wh, export_wh)| (import_wh, export_wh));
			let mut regs = vec![reg];
			for j in 0..k {
				let hour = self.start_hour + j as f64 * SIM_SLOT_HOURS;
				let pv = interval_wh(|h| solar_w(m.entry.pv_peak_w, h), hour, SIM_SLOT_HOURS);
				let load = interval_wh(|h| load_w(m.entry.base_load_w, h), hour, SIM_SLOT_HOURS);
				let forecast = pv - load;
				let (side, qty, price) = if forecast >= MIN_ORDER_WH as f64 {
					(Some("Sell"), forecast.round() as u64, rng.gen_range(12..=28u64) * 5_000)
				} else if -forecast >= MIN_ORDER_WH as f64 {
					(Some("Buy"), (-forecast).round() as u64, rng.gen_range(22..=46u64) * 5_000)
				} else {
					(None, 0, 0)
				};
				let price = price.clamp(zone.export_price, zone.import_price);
				// What really happens: clouds and habits.
				let pv_actual = (pv * (1.0 + 0.08 * gaussian(&mut rng))).max(0.0).round() as i128;
				let load_actual =
					(load * (1.0 + 0.06 * gaussian(&mut rng))).max(0.0).round() as i128;
				let net = pv_actual - load_actual;
				if net >= 0 {
					reg.1 += net as u64;
				} else {
					reg.0 += (-net) as u64;
				}
				regs.push(reg);
				slots.push(MeterSlot {
					side,
					qty_wh: qty,
					price,
					metered_export_wh: net,
					..Default::default()
				});
			}
			plan.insert(m.id, slots);
			registers.insert(m.id, regs);
		}

		// Orders, one batch per owner.
		let sends = self.owners.iter().map(|owner| {
			let calls: Vec<Call> = meters
				.iter()
				.filter(|m| m.owner == owner.id)
				.flat_map(|m| {
					plan[&m.id].iter().enumerate().filter_map(move |(j, s)| {
						s.side.map(|side| {
							Call::new(
								"EnergyMarket",
								"place_order",
								vec![
									("meter", v::account(&m.id)),
									("slot", v::u(s0 + j as u32)),
									("side", v::variant(side)),
									("qty_wh", v::u(s.qty_wh)),
									("price", v::u(s.price)),
								],
							)
						})
					})
				})
				.collect();
			let chain = chain.clone();
			async move {
				if calls.is_empty() {
					return Ok(Vec::new());
				}
				let included = chain.sign_and_wait(&owner.pair, &batch_all(&calls)).await?;
				Ok::<_, anyhow::Error>(included.events)
			}
		});
		for result in futures::future::join_all(sends).await {
			match result {
				Ok(events) => {
					for e in events {
						if let ChainEvent::OrderPlaced { order, meter, slot } = e {
							if let Some(s) =
								plan.get_mut(&meter).and_then(|p| p.get_mut((slot - s0) as usize))
							{
								s.order = Some(order);
								out.orders += 1;
							}
						}
					}
				},
				Err(e) => self.ui.log(format!("energy: orders refused: {e}")),
			}
		}
		pb.set_message(format!("{} orders for slots {s0}–{}", out.orders, s0 + self.slots - 1));

		// Boundaries s0 … s0 + k: readings; the slot before each is then settled.
		for b in s0..=s0 + k as u32 {
			chain.wait_block(b as u64 * l - 1).await;
			tokio::time::sleep(SETTLE).await;
			// Slot b's book is cleared (its gate closed at the start of slot b − 1).
			if b < s0 + k as u32 {
				self.collect_fills(b, &mut plan, out).await?;
			}
			for m in &meters {
				let (import_wh, export_wh) = registers[&m.id][(b - s0) as usize];
				let sent = m
					.submit_report(chain, |nonce| {
						let signature = m.sign(&report(
							&chain.genesis,
							nonce,
							&reading_payload(&m.id, b, import_wh, export_wh),
						));
						Call::new(
							"EnergyMarket",
							"submit_reading",
							vec![
								("meter", v::account(&m.id)),
								("nonce", v::u(nonce)),
								("slot_boundary", v::u(b)),
								("import_register_wh", v::u(import_wh)),
								("export_register_wh", v::u(export_wh)),
								("signature", v::sr25519_signature(&signature)),
							],
						)
					})
					.await;
				match sent {
					Ok(_) => out.readings += 1,
					Err(e) => {
						out.readings_refused += 1;
						self.ui.log(format!(
							"energy: reading of {} at boundary {b} refused: {e}",
							m.entry.name
						));
					},
				}
			}
			// Wait until every reading of this boundary is in a block.
			let from = b as u64 * l - 1;
			let give_up = chain.head() + params.reading_window as u64 * l;
			loop {
				let seen = chain.log.collect(from, u64::MAX, |e| match e {
					ChainEvent::ReadingSubmitted { meter, slot_boundary }
						if *slot_boundary == b =>
					{
						Some(*meter)
					},
					_ => None,
				});
				if meters.iter().all(|m| seen.iter().any(|(_, id)| *id == m.id))
					|| chain.head() >= give_up
				{
					break;
				}
				chain.next_block().await;
			}
			if b > s0 {
				self.settle(b - 1, s0, &zone, &plan, out).await;
				pb.inc(1);
			}
		}
		let settled = out.slots.iter().filter(|s| s.settled).count();
		pb.finish_with_message(format!(
			"{settled}/{} slots settled, {} positions, {} mismatches",
			self.slots,
			out.positions.len(),
			out.mismatches.len()
		));
		Ok(())
	}

	/// Slot `s`'s clearing (SlotCleared) and the fills of the fleet's orders (order book).
	async fn collect_fills(
		&self,
		s: u32,
		plan: &mut HashMap<Account, Vec<MeterSlot>>,
		out: &mut EnergyReport,
	) -> Result<()> {
		let chain = &self.chain;
		let cleared = chain
			.wait_event(0, 10, |e| match e {
				ChainEvent::SlotCleared { zone, slot, price, volume }
					if *zone == ZONE && *slot == s =>
				{
					Some((*price, *volume))
				},
				_ => None,
			})
			.await;
		let (price, volume) = cleared.map(|(_, c)| c).unwrap_or((0, 0));
		let book: OrderBookView = chain.call("EnergyApi", "order_book", (ZONE, s)).await?;
		let fills: BTreeMap<u64, u64> = book
			.bids
			.iter()
			.chain(&book.asks)
			.map(|o| (o.id, o.filled_wh.unwrap_or(0)))
			.collect();
		let mut participants = 0;
		for slots in plan.values_mut() {
			for ms in slots.iter_mut() {
				if let Some(order) = ms.order {
					if let Some(f) = fills.get(&order) {
						ms.filled_wh = *f;
						if *f > 0 {
							participants += 1;
						}
					}
				}
			}
		}
		self.ui.log(format!(
            "energy slot {s}: cleared {volume} Wh at {price} µASY/kWh ({participants} of the fleet's meters filled)"
        ));
		out.slots
			.push(SlotOutcome { slot: s, price, volume, settled: false, participants });
		Ok(())
	}

	/// Settles slot `s` and checks every position against the agent's own arithmetic.
	async fn settle(
		&self,
		s: u32,
		s0: u32,
		zone: &Zone,
		plan: &HashMap<Account, Vec<MeterSlot>>,
		out: &mut EnergyReport,
	) {
		let Some(outcome) = out.slots.iter().position(|o| o.slot == s) else { return };
		if out.slots[outcome].volume == 0 {
			self.ui.log(format!("energy slot {s}: nothing traded, nothing to settle"));
			return;
		}
		let call =
			Call::new("EnergyMarket", "settle_slot", vec![("zone", v::u(ZONE)), ("slot", v::u(s))]);
		let included = match self.chain.sign_and_wait(&self.settler.pair, &call).await {
			Ok(i) => i,
			Err(e) => {
				self.ui.log(format!("energy slot {s}: settlement failed: {e}"));
				return;
			},
		};
		let price = out.slots[outcome].price;
		let mut n = 0;
		let mut total = 0i128;
		for e in included.events {
			if let ChainEvent::PositionSettled { slot, meter, owner, net, debt } = e {
				if slot != s {
					continue;
				}
				out.debts += debt;
				n += 1;
				total += net;
				out.positions.push((owner, meter, net));
				if let Some(ms) = plan.get(&meter).and_then(|p| p.get((s - s0) as usize)) {
					let (bought, sold) = match ms.side {
						Some("Buy") => (ms.filled_wh, 0),
						Some("Sell") => (0, ms.filled_wh),
						_ => (0, 0),
					};
					let (_, _, expected) = settlement_of(
						bought,
						sold,
						ms.metered_export_wh,
						price,
						zone.import_price,
						zone.export_price,
					);
					if expected != net {
						out.mismatches.push(format!(
							"slot {s} meter {}: chain {net}, agent {expected} µASY",
							crate::chain::short(&meter)
						));
					}
				}
			}
		}
		out.slots[outcome].settled = true;
		self.ui.log(format!(
            "energy slot {s}: settled in #{}: {n} positions, participants' net {} µASY (the grid takes the opposite)",
            included.block, total
        ));
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn settlement_matches_the_e2e_figures() {
		// energy.test.mjs: p* 120,000; λ_imp 250,000; λ_exp 50,000.
		let s = |b, so, m| settlement_of(b, so, m, 120_000, 250_000, 50_000);
		assert_eq!(s(0, 3_000, 2_800), (360_000, -50_000, 310_000)); // P1
		assert_eq!(s(0, 1_500, 1_700), (180_000, 10_000, 190_000)); // P2
		assert_eq!(s(2_500, 0, -2_500), (-300_000, 0, -300_000)); // C1
		assert_eq!(s(2_000, 0, -2_300), (-240_000, -75_000, -315_000)); // C2
																  // Buyers round up, sellers down.
		assert_eq!(value_up(1, 1_500), 2);
		assert_eq!(value_down(1, 1_500), 1);
	}

	#[test]
	fn solar_is_zero_at_night_and_peaks_at_noon() {
		assert_eq!(solar_w(5_000.0, 3.0), 0.0);
		assert_eq!(solar_w(5_000.0, 22.0), 0.0);
		let noon = solar_w(5_000.0, 13.5);
		assert!((noon - 5_000.0).abs() < 1e-6);
		assert!(solar_w(5_000.0, 10.0) < noon && solar_w(5_000.0, 10.0) > 0.0);
		// A 5 kWp system makes about 1.2 kWh in the quarter hour around solar noon.
		let wh = interval_wh(|h| solar_w(5_000.0, h), 13.375, 0.25);
		assert!((1_240.0..1_251.0).contains(&wh), "{wh}");
	}

	#[test]
	fn load_has_an_evening_peak() {
		let base = 1_000.0;
		assert!(load_w(base, 20.0) > load_w(base, 13.0));
		assert!(load_w(base, 8.0) > load_w(base, 3.0));
		assert!(load_w(base, 3.0) >= 0.55 * base);
		// Constant power integrates exactly.
		assert!((interval_wh(|_| 400.0, 0.0, 0.25) - 100.0).abs() < 1e-9);
	}
}
