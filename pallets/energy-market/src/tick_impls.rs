//! Gate closure: each (zone, slot) book is cleared by the pure double auction of
//! [`crate::clearing`] during the slot before delivery, at most `MaxClearingsPerBlock`
//! books per block; fills are stored and the collateral of what did not fill is released.

use crate::{
	clearing::{self, Order as BookOrder},
	BalanceOf, Books, Clearing, ClearingDue, ClearingOf, Clearings, Config, Event, OrderId, Orders,
	Pallet, Params, Side, SlotIndex, WeightInfo, ZoneId, Zones,
};
use alloc::{collections::BTreeMap, vec::Vec};
use polkadot_sdk::{
	frame_support::{pallet_prelude::*, BoundedVec},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_on_initialize(now: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		let Some(params) = Params::<T>::get() else {
			return db.reads(1);
		};
		// The gate of the slot after the current one is closed: clear its books.
		let gate = Self::slot_of(now, &params).saturating_add(1);
		let mut weight = T::WeightInfo::on_initialize_idle();
		let mut due = ClearingDue::<T>::get(gate);
		if due.is_empty() {
			return weight;
		}
		for _ in 0..T::MaxClearingsPerBlock::get() {
			let Some(zone) = due.pop() else { break };
			let orders = Self::clear_book(zone, gate);
			weight.saturating_accrue(T::WeightInfo::clear_book(orders));
		}
		if due.is_empty() {
			ClearingDue::<T>::remove(gate);
		} else {
			ClearingDue::<T>::insert(gate, due);
		}
		weight
	}

	/// The book of one side as the auction sees it.
	fn book_orders(zone: ZoneId, slot: SlotIndex, side: Side) -> Vec<(OrderId, crate::OrderOf<T>)> {
		Books::<T>::get((zone, slot, side))
			.into_iter()
			.filter_map(|id| Orders::<T>::get(id).map(|order| (id, order)))
			.collect()
	}

	/// Clears (zone, slot): runs the auction, stores the fills and the zone's prices, and
	/// releases the collateral of what did not fill. Returns the number of orders read.
	pub(crate) fn clear_book(zone_id: ZoneId, slot: SlotIndex) -> u32 {
		let bids = Self::book_orders(zone_id, slot, Side::Buy);
		let asks = Self::book_orders(zone_id, slot, Side::Sell);
		let orders = bids.len().saturating_add(asks.len()) as u32;
		let Some(zone) = Zones::<T>::get(zone_id) else {
			// Zones are never removed; a book exists only for a zone that existed.
			log::error!(target: "runtime::energy-market", "book of unknown zone {zone_id}");
			return orders;
		};
		let as_book = |side: &[(OrderId, crate::OrderOf<T>)]| -> Vec<BookOrder> {
			side.iter()
				.map(|(id, o)| BookOrder { id: *id, price: o.price, qty: o.qty_wh })
				.collect()
		};
		let outcome = clearing::clear(&as_book(&bids), &as_book(&asks));
		let (price, volume, fills) = match outcome {
			Some(c) => {
				let mut fills = c.bid_fills;
				fills.extend(c.ask_fills);
				fills.sort_unstable();
				(c.price, c.volume, fills)
			},
			None => (0, 0, Vec::new()),
		};

		// Release what did not fill, once per owner.
		let filled: BTreeMap<OrderId, u64> = fills.iter().copied().collect();
		let mut release: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, order) in bids.iter().chain(asks.iter()) {
			let fill = filled.get(id).copied().unwrap_or(0);
			let excess = order.collateral.saturating_sub(Self::kept_collateral(order, fill));
			let entry = release.entry(order.owner.clone()).or_default();
			*entry = entry.saturating_add(excess);
		}
		for (owner, amount) in release {
			Self::release_collateral(&owner, amount);
		}

		// Fills never exceed the orders, so they fit; a failure would mean a broken bound.
		let fills = BoundedVec::truncate_from(fills);
		let record: ClearingOf<T> = Clearing {
			price,
			volume,
			import_price: zone.import_price,
			export_price: zone.export_price,
			grid_account: zone.grid_account,
			fills,
			settled: None,
		};
		Clearings::<T>::insert((zone_id, slot), record);
		Self::deposit_event(Event::SlotCleared { zone: zone_id, slot, price, volume });
		orders
	}
}
