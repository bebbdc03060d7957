//! A slot's settlement (DESIGN §7), integer only and zero-sum including the grid account.
//!
//! For each participant: the trade at the clearing price p* (a buyer pays
//! `⌈bought·p*/1000⌉`, a seller receives `⌊sold·p*/1000⌋`; the rounding dust goes to the
//! grid account), then the deviation `d = m − c` of its metered net export `m` from its
//! committed net export `c = sold − bought` at the zone's grid prices: `d > 0` earns
//! `⌊d·λ_exp/1000⌋`, `d < 0` pays `⌈|d|·λ_imp/1000⌉`. The grid account takes the other side
//! of every deviation and the dust, so the amounts sum to exactly zero.

use alloc::vec::Vec;

/// A slot's prices, µASY per kWh.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Prices {
	/// The clearing price p*.
	pub clearing: u64,
	/// λ_imp: what the grid charges for energy taken from it.
	pub import: u64,
	/// λ_exp: what the grid pays for energy given to it.
	pub export: u64,
}

/// One participant's slot: what it traded and what its meter measured.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Position {
	/// Wh bought in the auction.
	pub bought_wh: u64,
	/// Wh sold in the auction.
	pub sold_wh: u64,
	/// Metered net export in the slot, Wh (export − import; 0 with no reading).
	pub metered_export_wh: i128,
}

impl Position {
	/// Committed net export `c = sold − bought`.
	pub fn committed_export_wh(&self) -> i128 {
		i128::from(self.sold_wh) - i128::from(self.bought_wh)
	}

	/// Deviation `d = m − c`.
	pub fn deviation_wh(&self) -> i128 {
		self.metered_export_wh - self.committed_export_wh()
	}
}

/// One participant's amounts, µASY (positive: it receives).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Amounts {
	/// From the trade: −(buyer's payment) + seller's receipt.
	pub trade: i128,
	/// From the deviation: +earned or −paid at grid prices.
	pub deviation: i128,
}

impl Amounts {
	/// The participant's net amount.
	pub fn net(&self) -> i128 {
		self.trade + self.deviation
	}
}

/// `⌈wh · price / 1000⌉`, µASY: the value of `wh` Wh at `price` µASY per kWh, rounded up
/// (what a payer pays, and the collateral an order holds). Saturating.
pub fn value_up(wh: u128, price: u64) -> u128 {
	wh.saturating_mul(u128::from(price)).div_ceil(1000)
}

/// `⌊wh · price / 1000⌋`, µASY: rounded down (what a receiver gets). Saturating.
pub fn value_down(wh: u128, price: u64) -> u128 {
	wh.saturating_mul(u128::from(price)) / 1000
}

/// A value as a signed amount, saturating.
fn signed(value: u128) -> i128 {
	i128::try_from(value).unwrap_or(i128::MAX)
}

/// The trade amount of a position at p*.
pub fn trade_amount(position: &Position, prices: &Prices) -> i128 {
	signed(value_down(u128::from(position.sold_wh), prices.clearing))
		.saturating_sub(signed(value_up(u128::from(position.bought_wh), prices.clearing)))
}

/// The deviation amount of a position at the grid prices.
pub fn deviation_amount(position: &Position, prices: &Prices) -> i128 {
	let d = position.deviation_wh();
	if d >= 0 {
		signed(value_down(d.unsigned_abs(), prices.export))
	} else {
		signed(value_up(d.unsigned_abs(), prices.import)).saturating_neg()
	}
}

/// Every participant's amounts and the grid account's net amount; the sum of all nets and
/// the grid's is exactly zero.
pub fn settle(positions: &[Position], prices: &Prices) -> (Vec<Amounts>, i128) {
	let amounts: Vec<Amounts> = positions
		.iter()
		.map(|p| Amounts { trade: trade_amount(p, prices), deviation: deviation_amount(p, prices) })
		.collect();
	let grid = -amounts.iter().map(Amounts::net).sum::<i128>();
	(amounts, grid)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const PRICES: Prices = Prices { clearing: 150_001, import: 250_000, export: 50_000 };

	#[test]
	fn delivered_as_committed_is_the_trade_alone() {
		// A sells 3,001 Wh to B at 150,001 µASY/kWh; both meters agree.
		let seller = Position { bought_wh: 0, sold_wh: 3_001, metered_export_wh: 3_001 };
		let buyer = Position { bought_wh: 3_001, sold_wh: 0, metered_export_wh: -3_001 };
		let (amounts, grid) = settle(&[seller, buyer], &PRICES);
		// 3,001 · 150,001 / 1000 = 450,153.001: the seller gets 450,153, the buyer pays
		// 450,154, the grid keeps 1 µASY of dust.
		assert_eq!(amounts[0], Amounts { trade: 450_153, deviation: 0 });
		assert_eq!(amounts[1], Amounts { trade: -450_154, deviation: 0 });
		assert_eq!(grid, 1);
	}

	#[test]
	fn shortfalls_pay_import_and_surpluses_earn_export() {
		// The seller delivers 1,000 Wh less than sold; the buyer takes 500 Wh less.
		let seller = Position { bought_wh: 0, sold_wh: 3_000, metered_export_wh: 2_000 };
		let buyer = Position { bought_wh: 3_000, sold_wh: 0, metered_export_wh: -2_500 };
		let (amounts, grid) = settle(&[seller, buyer], &PRICES);
		assert_eq!(amounts[0].deviation, -250_000);
		assert_eq!(amounts[1].deviation, 25_000);
		assert_eq!(amounts.iter().map(Amounts::net).sum::<i128>() + grid, 0);
	}

	#[test]
	fn a_seller_that_delivers_nothing_pays_import_for_all_it_sold() {
		let seller = Position { bought_wh: 0, sold_wh: 1_000, metered_export_wh: 0 };
		assert_eq!(seller.deviation_wh(), -1_000);
		assert_eq!(deviation_amount(&seller, &PRICES), -250_000);
	}

	proptest! {
		#[test]
		fn settlement_is_zero_sum(
			positions in proptest::collection::vec((0u64..1_000_000, 0u64..1_000_000, -2_000_000i128..2_000_000), 0..30),
			clearing in 1u64..1_000_000,
			spread in (0u64..500_000, 0u64..500_000),
		) {
			let prices = Prices { clearing, import: clearing + spread.0, export: clearing.saturating_sub(spread.1) };
			let positions: Vec<Position> = positions
				.into_iter()
				.map(|(b, s, m)| Position { bought_wh: b, sold_wh: s, metered_export_wh: m })
				.collect();
			let (amounts, grid) = settle(&positions, &prices);
			prop_assert_eq!(amounts.iter().map(Amounts::net).sum::<i128>() + grid, 0);
		}

		#[test]
		fn balanced_trades_leave_the_grid_only_dust(trades in proptest::collection::vec(0u64..1_000_000, 1..20), clearing in 1u64..1_000_000) {
			// Each trade: a seller and a buyer of the same Wh, both delivered as committed.
			let prices = Prices { clearing, import: clearing, export: clearing };
			let positions: Vec<Position> = trades
				.iter()
				.flat_map(|x| {
					let x = *x;
					[
						Position { bought_wh: 0, sold_wh: x, metered_export_wh: i128::from(x) },
						Position { bought_wh: x, sold_wh: 0, metered_export_wh: -i128::from(x) },
					]
				})
				.collect();
			let (_, grid) = settle(&positions, &prices);
			prop_assert!(grid >= 0 && grid < positions.len() as i128);
		}
	}
}
