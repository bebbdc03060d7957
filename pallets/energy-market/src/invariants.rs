//! `do_try_state`: the invariants the energy market keeps (collateral equals what open
//! orders keep, books agree with orders, fills sum to the volume, settled slots are
//! zero-sum), checked by `try-runtime` and after every mock test.

use crate::{BalanceOf, Books, Clearings, Config, OrderId, Orders, Pallet, SettledPositions};
use alloc::collections::BTreeMap;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	/// Collateral held per account equals what its open orders keep; books and orders
	/// agree; every settled slot is zero-sum, and its positions add up to its totals.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
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
