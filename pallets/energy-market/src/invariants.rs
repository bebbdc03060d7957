//! `do_try_state`: the invariants the energy market keeps (collateral equals what open
//! orders keep, books agree with orders, each meter's tally agrees with its orders and its
//! orders in a slot have one owner, fills sum to the volume, settled slots are zero-sum),
//! checked by `try-runtime` and after every mock test.

use crate::{
	BalanceOf, Books, Clearings, Config, MeterBook, MeterOrders, OrderId, Orders, Pallet,
	SettledPositions,
};
use alloc::collections::BTreeMap;
use assay_primitives::storage_checks::map_decodes;
use polkadot_sdk::frame_support::traits::GetStorageVersion;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	/// Collateral held per account equals what its open orders keep; books and orders
	/// agree; every settled slot is zero-sum, and its positions add up to its totals.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		map_decodes::<_, _, crate::Books<T>>("Books does not decode")?;
		map_decodes::<_, _, crate::ClearingDue<T>>("ClearingDue does not decode")?;
		use crate::{ZoneCount, Zones};
		let mut expected: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut listed = 0usize;
		for ((zone, slot, side), book) in Books::<T>::iter() {
			let clearing = Clearings::<T>::get((zone, slot));
			let fills: BTreeMap<OrderId, u64> =
				clearing.as_ref().map(|c| c.fills.iter().copied().collect()).unwrap_or_default();
			for id in book {
				let order = Orders::<T>::get(id).ok_or("a book lists an unknown order")?;
				ensure!(
					order.zone == zone && order.slot == slot && order.side == side,
					"an order is in another book"
				);
				listed += 1;
				let held = match &clearing {
					None => order.collateral,
					Some(c) if c.settled.is_some() => {
						return Err("a settled slot still has orders".into())
					},
					Some(_) => Self::kept_collateral(&order, fills.get(&id).copied().unwrap_or(0)),
				};
				let entry = expected.entry(order.owner.clone()).or_default();
				*entry = entry.saturating_add(held);
			}
		}
		ensure!(listed == Orders::<T>::iter().count(), "an order is in no book");
		let mut tally: BTreeMap<_, MeterOrders> = BTreeMap::new();
		let mut owners: BTreeMap<_, T::AccountId> = BTreeMap::new();
		for (_, order) in Orders::<T>::iter() {
			let entry = tally.entry((order.meter.clone(), order.slot, order.side)).or_default();
			entry.count = entry.count.saturating_add(1);
			entry.qty_wh = entry.qty_wh.saturating_add(order.qty_wh);
			let owner =
				owners.entry((order.meter.clone(), order.slot)).or_insert(order.owner.clone());
			ensure!(*owner == order.owner, "a meter's orders in one slot have two owners");
		}
		let booked: BTreeMap<_, MeterOrders> = MeterBook::<T>::iter()
			.map(|(meter, (slot, side), orders)| ((meter, slot, side), orders))
			.collect();
		ensure!(booked == tally, "a meter's tally differs from its orders");
		for (who, held) in expected {
			let on_hold = T::Currency::balance_on_hold(&Self::collateral_reason(), &who);
			ensure!(on_hold == held, "held collateral differs from the open orders' collateral");
		}
		for ((zone, slot), clearing) in Clearings::<T>::iter() {
			if let Some(totals) = clearing.settled {
				ensure!(
					totals.participants_net.saturating_add(totals.grid_net) == 0,
					"a settled slot is not zero-sum"
				);
				let nets: i128 =
					SettledPositions::<T>::iter_prefix((zone, slot)).map(|(_, p)| p.net()).sum();
				ensure!(
					nets == totals.participants_net,
					"settled positions differ from the slot's totals"
				);
			}
			let filled: u64 = clearing.fills.iter().map(|f| f.1).sum();
			ensure!(
				filled == clearing.volume.saturating_mul(2),
				"fills do not sum to the volume on both sides"
			);
		}
		ensure!(ZoneCount::<T>::get() as usize == Zones::<T>::iter().count(), "zone count is off");
		Ok(())
	}
}
