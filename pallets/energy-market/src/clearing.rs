//! The uniform-price double auction of DESIGN §7 (k = ½), integer only.
//!
//! Bids are sorted by price descending, asks by price ascending, each then by lower id.
//! Walking both books while the best remaining bid is at least the best remaining ask gives
//! the volume Q (the most that can trade at one price). With the last filled bid price
//! `b`, the last filled ask price `a`, and the prices of the first units left unfilled on
//! each side (`b'`, `a'`, if any): `L = max(a, b')`, `U = min(b, a')`, and the price is
//! `p* = L + ⌊(U − L)/2⌋`. On each side, price levels better than the marginal one (the
//! level of the last filled order) fill completely; the marginal level shares what is left
//! pro rata, `⌊f·q_i/Q_level⌋`, the remainder one Wh at a time by largest fractional part,
//! ties by lower id.

use alloc::vec::Vec;
use core::cmp::Reverse;

/// An order: quantity in Wh, price in µASY per kWh.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Order {
	/// Its id (lower ids win ties).
	pub id: u64,
	/// Price, µASY per kWh.
	pub price: u64,
	/// Quantity, Wh (0 is ignored).
	pub qty: u64,
}

/// The result of a clearing that traded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Clearing {
	/// The uniform price p*, µASY per kWh.
	pub price: u64,
	/// The volume Q, Wh.
	pub volume: u64,
	/// (bid id, Wh filled) for every bid that trades, by id.
	pub bid_fills: Vec<(u64, u64)>,
	/// (ask id, Wh filled) for every ask that trades, by id.
	pub ask_fills: Vec<(u64, u64)>,
}

/// What the walk over both books found.
struct Walk {
	volume: u64,
	last_bid: u64,
	last_ask: u64,
	next_bid: Option<u64>,
	next_ask: Option<u64>,
}

/// Walks the sorted books while they cross: the volume, the last filled prices and the
/// prices of the first unfilled units. `None` when nothing crosses.
fn walk(bids: &[Order], asks: &[Order]) -> Option<Walk> {
	let (mut i, mut j) = (0usize, 0usize);
	let mut left_bid = bids.first()?.qty;
	let mut left_ask = asks.first()?.qty;
	let mut volume = 0u64;
	let mut last = None;
	while let (Some(bid), Some(ask)) = (bids.get(i), asks.get(j)) {
		if bid.price < ask.price {
			break;
		}
		let traded = left_bid.min(left_ask);
		volume = volume.saturating_add(traded);
		left_bid -= traded;
		left_ask -= traded;
		last = Some((bid.price, ask.price));
		if left_bid == 0 {
			i += 1;
			left_bid = bids.get(i).map_or(0, |b| b.qty);
		}
		if left_ask == 0 {
			j += 1;
			left_ask = asks.get(j).map_or(0, |a| a.qty);
		}
	}
	let (last_bid, last_ask) = last?;
	Some(Walk {
		volume,
		last_bid,
		last_ask,
		next_bid: bids.get(i).map(|b| b.price),
		next_ask: asks.get(j).map(|a| a.price),
	})
}

/// `L + ⌊(U − L)/2⌋` with `L = max(a, b')` and `U = min(b, a')`.
pub fn uniform_price(
	last_bid: u64,
	last_ask: u64,
	next_bid: Option<u64>,
	next_ask: Option<u64>,
) -> u64 {
	let low = next_bid.map_or(last_ask, |b| b.max(last_ask));
	let high = next_ask.map_or(last_bid, |a| a.min(last_bid));
	low.saturating_add(high.saturating_sub(low) / 2)
}

/// Shares `f` Wh among `level` pro rata to quantity: `⌊f·q_i/Q⌋`, then one Wh at a time to
/// the largest fractional parts, ties by lower id. `f` must not exceed the level's total.
pub fn pro_rata(f: u64, level: &[Order]) -> Vec<(u64, u64)> {
	let total: u128 = level.iter().map(|o| u128::from(o.qty)).sum();
	if total == 0 {
		return level.iter().map(|o| (o.id, 0)).collect();
	}
	let f = u128::from(f).min(total);
	// (id, floor share, fractional numerator)
	let mut shares: Vec<(u64, u64, u128)> = level
		.iter()
		.map(|o| {
			let exact = f * u128::from(o.qty);
			(o.id, (exact / total) as u64, exact % total)
		})
		.collect();
	let given: u128 = shares.iter().map(|s| u128::from(s.1)).sum();
	let mut remainder = (f - given) as usize;
	let mut order: Vec<usize> = (0..shares.len()).collect();
	order.sort_by_key(|k| (Reverse(shares[*k].2), shares[*k].0));
	for k in order {
		if remainder == 0 {
			break;
		}
		shares[k].1 += 1;
		remainder -= 1;
	}
	shares.into_iter().map(|(id, fill, _)| (id, fill)).collect()
}

/// Fills one side: levels better than `marginal` (by `better`) completely, the marginal
/// level pro rata with what is left of `volume`.
fn fill_side(
	orders: &[Order],
	marginal: u64,
	volume: u64,
	better: impl Fn(u64, u64) -> bool,
) -> Vec<(u64, u64)> {
	let mut fills: Vec<(u64, u64)> = orders
		.iter()
		.filter(|o| better(o.price, marginal))
		.map(|o| (o.id, o.qty))
		.collect();
	let full: u64 = fills.iter().map(|f| f.1).fold(0, u64::saturating_add);
	let level: Vec<Order> = orders.iter().filter(|o| o.price == marginal).copied().collect();
	fills.extend(pro_rata(volume.saturating_sub(full), &level).into_iter().filter(|f| f.1 > 0));
	fills.sort_unstable();
	fills
}

/// Clears one (zone, slot): `None` when no bid reaches any ask. Precondition: each side's
/// quantities sum to at most `u64::MAX` Wh (the pallet binds meters with at most
/// `MAX_METER_CAPACITY_WH`, so a book of `MaxOrdersPerSide` orders does).
pub fn clear(bids: &[Order], asks: &[Order]) -> Option<Clearing> {
	let mut bids: Vec<Order> = bids.iter().filter(|o| o.qty > 0).copied().collect();
	let mut asks: Vec<Order> = asks.iter().filter(|o| o.qty > 0).copied().collect();
	bids.sort_unstable_by_key(|o| (Reverse(o.price), o.id));
	asks.sort_unstable_by_key(|o| (o.price, o.id));
	let w = walk(&bids, &asks)?;
	let price = uniform_price(w.last_bid, w.last_ask, w.next_bid, w.next_ask);
	Some(Clearing {
		price,
		volume: w.volume,
		bid_fills: fill_side(&bids, w.last_bid, w.volume, |p, m| p > m),
		ask_fills: fill_side(&asks, w.last_ask, w.volume, |p, m| p < m),
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn o(id: u64, price: u64, qty: u64) -> Order {
		Order { id, price, qty }
	}

	#[test]
	fn both_sides_exhausted_exactly_price_is_the_midpoint_of_the_gap() {
		let c = clear(&[o(1, 50, 100)], &[o(2, 30, 100)]).unwrap();
		assert_eq!((c.price, c.volume), (40, 100));
		assert_eq!(c.bid_fills, vec![(1, 100)]);
		assert_eq!(c.ask_fills, vec![(2, 100)]);
	}

	#[test]
	fn no_cross_no_trade() {
		assert_eq!(clear(&[o(1, 20, 100)], &[o(2, 30, 100)]), None);
		assert_eq!(clear(&[], &[o(2, 30, 100)]), None);
		assert_eq!(clear(&[o(1, 20, 100)], &[]), None);
	}

	#[test]
	fn demand_rationed_pro_rata_at_the_marginal_bid() {
		// 150 Wh offered; bids of 100 @ 60 (better level) and 100 + 200 @ 50 (marginal).
		let c = clear(&[o(1, 60, 100), o(2, 50, 100), o(3, 50, 200)], &[o(9, 40, 150)]).unwrap();
		assert_eq!(c.volume, 150);
		// The marginal level shares 50 Wh: 50·100/300 = 16.67 → 16 (+1), 50·200/300 = 33.33 → 33.
		assert_eq!(c.bid_fills, vec![(1, 100), (2, 17), (3, 33)]);
		assert_eq!(c.ask_fills, vec![(9, 150)]);
		// Bid 2 partially unfilled: L = max(40, 50) = 50, U = min(50, —) = 50.
		assert_eq!(c.price, 50);
	}

	#[test]
	fn supply_rationed_with_largest_remainders_and_ties_by_lower_id() {
		// 100 Wh demanded; three asks of 100 @ 30 share it: 33 each, 1 left, equal
		// fractions, so the lowest id gets it.
		let c = clear(&[o(1, 80, 100)], &[o(7, 30, 100), o(5, 30, 100), o(6, 30, 100)]).unwrap();
		assert_eq!(c.ask_fills, vec![(5, 34), (6, 33), (7, 33)]);
		assert_eq!(c.price, 30);
	}

	#[test]
	fn equal_prices_across_many_orders() {
		let bids: Vec<Order> = (0..10).map(|i| o(i, 45, 10 + i)).collect();
		let asks: Vec<Order> = (10..20).map(|i| o(i, 45, 7)).collect();
		let c = clear(&bids, &asks).unwrap();
		assert_eq!(c.volume, 70);
		assert_eq!(c.price, 45);
		assert_eq!(c.bid_fills.iter().map(|f| f.1).sum::<u64>(), 70);
	}

	#[test]
	fn orders_at_the_band_edges() {
		// Export price 10 (lowest ask allowed), import price 100 (highest bid allowed).
		let c = clear(&[o(1, 100, 5)], &[o(2, 10, 5)]).unwrap();
		assert_eq!(c.price, 55);
	}

	#[test]
	fn pro_rata_gives_every_wh() {
		assert_eq!(
			pro_rata(10, &[o(1, 0, 10), o(2, 0, 10), o(3, 0, 10)]),
			vec![(1, 4), (2, 3), (3, 3)]
		);
		assert_eq!(
			pro_rata(2, &[o(3, 0, 1), o(1, 0, 1), o(2, 0, 1)]),
			vec![(3, 0), (1, 1), (2, 1)]
		);
		assert_eq!(pro_rata(0, &[o(1, 0, 5)]), vec![(1, 0)]);
	}

	fn book() -> impl Strategy<Value = Vec<Order>> {
		proptest::collection::vec((10u64..60, 1u64..500), 0..40)
			.prop_map(|v| v.into_iter().enumerate().map(|(i, (p, q))| o(i as u64, p, q)).collect())
	}

	/// The most that can trade at one price: max over p of min(demand ≥ p, supply ≤ p).
	fn max_single_price_volume(bids: &[Order], asks: &[Order]) -> u64 {
		(0..=70u64)
			.map(|p| {
				let d: u64 = bids.iter().filter(|b| b.price >= p).map(|b| b.qty).sum();
				let s: u64 = asks.iter().filter(|a| a.price <= p).map(|a| a.qty).sum();
				d.min(s)
			})
			.max()
			.unwrap_or(0)
	}

	proptest! {
		#[test]
		fn clearing_properties(bids in book(), asks in book()) {
			let asks: Vec<Order> = asks.into_iter().map(|a| Order { id: a.id + 1000, ..a }).collect();
			match clear(&bids, &asks) {
				None => prop_assert_eq!(max_single_price_volume(&bids, &asks), 0),
				Some(c) => {
					prop_assert_eq!(c.volume, max_single_price_volume(&bids, &asks));
					prop_assert_eq!(c.bid_fills.iter().map(|f| f.1).sum::<u64>(), c.volume);
					prop_assert_eq!(c.ask_fills.iter().map(|f| f.1).sum::<u64>(), c.volume);
					for (id, fill) in &c.bid_fills {
						let b = bids.iter().find(|b| b.id == *id).unwrap();
						prop_assert!(*fill <= b.qty && b.price >= c.price);
					}
					for (id, fill) in &c.ask_fills {
						let a = asks.iter().find(|a| a.id == *id).unwrap();
						prop_assert!(*fill <= a.qty && a.price <= c.price);
					}
					let w = {
						let mut b = bids.clone();
						let mut a = asks.clone();
						b.sort_unstable_by_key(|o| (Reverse(o.price), o.id));
						a.sort_unstable_by_key(|o| (o.price, o.id));
						walk(&b, &a).unwrap()
					};
					let low = w.next_bid.map_or(w.last_ask, |b| b.max(w.last_ask));
					let high = w.next_ask.map_or(w.last_bid, |a| a.min(w.last_bid));
					prop_assert!(low <= c.price && c.price <= high);
				}
			}
		}
	}
}
