//! The energy auction: `clearing::clear` (the uniform-price double auction) and
//! `settlement::settle` on arbitrary books and positions.
//!
//! Invariants:
//! - both sides trade the volume: Σ bid fills = Σ ask fills = Q > 0, each fill is at most
//!   its order's quantity, once per order;
//! - every filled bid is priced at least p*, every filled ask at most p*;
//! - the volume is the most that can trade at p*: a bid priced above p* and an ask priced
//!   below it are filled completely;
//! - nothing clears exactly when the books do not cross;
//! - a marginal level's pro-rata shares sum to what the level gets;
//! - settlement is zero-sum with the grid account.

use arbitrary::Arbitrary;
use pallet_energy_market::{
	clearing::{self, Order},
	settlement::{self, Position, Prices},
};
use std::collections::BTreeMap;

/// One order as the fuzzer makes it.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct RawOrder {
	/// Price, µASY per kWh.
	pub price: u64,
	/// Quantity, Wh.
	pub qty: u64,
}

/// A position as the fuzzer makes it.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct RawPosition {
	/// Wh bought.
	pub bought: u64,
	/// Wh sold.
	pub sold: u64,
	/// Metered net export, Wh.
	pub metered: i64,
}

/// One case: two books (at most 512 orders a side, as a slot's book), a marginal level to
/// share out, and a slot's positions with the zone's prices.
#[derive(Arbitrary, Debug)]
pub struct Input {
	/// Bids.
	pub bids: Vec<RawOrder>,
	/// Asks.
	pub asks: Vec<RawOrder>,
	/// Quantities of a marginal level and what it gets.
	pub level: (u64, Vec<u64>),
	/// Positions to settle.
	pub positions: Vec<RawPosition>,
	/// Import and export prices.
	pub grid_prices: (u64, u64),
}

/// Orders with ids (bids 0…, asks 1,000…), at most 512, each within the largest meter
/// capacity the pallet binds (`MAX_METER_CAPACITY_WH`): a book's side sums below
/// `u64::MAX`, the clearing's precondition.
fn orders(raw: &[RawOrder], first_id: u64) -> Vec<Order> {
	raw.iter()
		.take(512)
		.zip(first_id..)
		.map(|(o, id)| Order {
			id,
			price: o.price,
			qty: o.qty % (pallet_energy_market::MAX_METER_CAPACITY_WH + 1),
		})
		.collect()
}

/// Checks one case; panics on a broken invariant.
pub fn check(input: &Input) {
	let bids = orders(&input.bids, 0);
	let asks = orders(&input.asks, 1_000);
	let best_bid = bids.iter().filter(|o| o.qty > 0).map(|o| o.price).max();
	let best_ask = asks.iter().filter(|o| o.qty > 0).map(|o| o.price).min();
	let crosses = matches!((best_bid, best_ask), (Some(b), Some(a)) if b >= a);
	let Some(result) = clearing::clear(&bids, &asks) else {
		assert!(!crosses, "the books cross at {best_bid:?} ≥ {best_ask:?} but nothing cleared");
		check_settlement(input, None);
		return;
	};
	assert!(crosses, "a clearing without crossing books: {result:?}");
	assert!(result.volume > 0, "a clearing that trades nothing");
	check_side(&bids, &result.bid_fills, result.volume, "bid");
	check_side(&asks, &result.ask_fills, result.volume, "ask");
	let by_id = |book: &[Order]| book.iter().map(|o| (o.id, *o)).collect::<BTreeMap<_, _>>();
	let (bid_by_id, ask_by_id) = (by_id(&bids), by_id(&asks));
	let bid_filled: BTreeMap<u64, u64> = result.bid_fills.iter().copied().collect();
	let ask_filled: BTreeMap<u64, u64> = result.ask_fills.iter().copied().collect();
	for id in bid_filled.keys() {
		assert!(bid_by_id[id].price >= result.price, "bid {id} filled below its price");
	}
	for id in ask_filled.keys() {
		assert!(ask_by_id[id].price <= result.price, "ask {id} filled above its price");
	}
	// Maximal volume: every bid above p* and every ask below it fills completely.
	for o in bids.iter().filter(|o| o.price > result.price) {
		assert_eq!(bid_filled.get(&o.id).copied().unwrap_or(0), o.qty, "bid {} above p*", o.id);
	}
	for o in asks.iter().filter(|o| o.price < result.price) {
		assert_eq!(ask_filled.get(&o.id).copied().unwrap_or(0), o.qty, "ask {} below p*", o.id);
	}
	check_pro_rata(input);
	check_settlement(input, Some(result.price));
}

/// One side's fills: by id, each once, positive, at most the order, summing to `volume`.
fn check_side(book: &[Order], fills: &[(u64, u64)], volume: u64, side: &str) {
	let mut total = 0u128;
	let mut last = None;
	for (id, filled) in fills {
		assert!(last < Some(*id), "{side} fills not strictly by id");
		last = Some(*id);
		let order = book.iter().find(|o| o.id == *id).expect("a fill of an unknown order");
		assert!(
			*filled > 0 && *filled <= order.qty,
			"{side} {id} filled {filled} of {}",
			order.qty
		);
		total += u128::from(*filled);
	}
	assert_eq!(total, u128::from(volume), "{side} fills do not sum to the volume");
}

/// A marginal level: shares of `f ≤ Σq` sum to `f`, each at most its order.
fn check_pro_rata(input: &Input) {
	let level: Vec<Order> = input
		.level
		.1
		.iter()
		.take(512)
		.zip(0u64..)
		.map(|(q, id)| Order { id, price: 1, qty: *q })
		.collect();
	let sum: u128 = level.iter().map(|o| u128::from(o.qty)).sum();
	let Ok(sum) = u64::try_from(sum) else { return };
	let f = input.level.0.min(sum);
	let shares = clearing::pro_rata(f, &level);
	let total: u128 = shares.iter().map(|(_, s)| u128::from(*s)).sum();
	assert_eq!(total, u128::from(f), "pro-rata shares do not sum to the level's fill");
	for (id, s) in shares {
		assert!(s <= level[id as usize].qty, "a pro-rata share above its order");
	}
}

/// Settlement is zero-sum: the participants' nets and the grid's sum to zero.
fn check_settlement(input: &Input, clearing_price: Option<u64>) {
	let prices = Prices {
		clearing: clearing_price.unwrap_or(input.grid_prices.0 / 2),
		import: input.grid_prices.0,
		export: input.grid_prices.1,
	};
	let positions: Vec<Position> = input
		.positions
		.iter()
		// 64 positions of at most 2^64 Wh at 2^64 µASY/kWh stay inside i128.
		.take(64)
		.map(|p| Position {
			bought_wh: p.bought,
			sold_wh: p.sold,
			metered_export_wh: i128::from(p.metered),
		})
		.collect();
	let (amounts, grid) = settlement::settle(&positions, &prices);
	let sum = amounts.iter().fold(grid, |s, a| s.checked_add(a.net()).expect("no overflow"));
	assert_eq!(sum, 0, "settlement is not zero-sum");
	for (a, p) in amounts.iter().zip(&positions) {
		// A buyer never receives from the trade, a seller never pays for it.
		if p.sold_wh == 0 {
			assert!(a.trade <= 0);
		}
		if p.bought_wh == 0 {
			assert!(a.trade >= 0);
		}
	}
}
