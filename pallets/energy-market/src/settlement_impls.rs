//! Settlement of a cleared slot against the meters' readings, debts, the runtime-API reads
//! and the pallet's invariants. The amounts come from the pure [`crate::settlement`]
//! module; this file only moves the money they say.

use crate::{
	settlement::{self, Position, Prices},
	BalanceOf, Books, ClearingOf, Clearings, Config, Debts, Error, Event, MarketParams, MeterBook,
	MeterDebtor, OrderId, OrderOf, Orders, Pallet, Readings, SettledPosition, SettledPositions,
	SettlementTotals, Side, SlotIndex, WeightInfo, ZoneId, Zones,
};
use alloc::{collections::BTreeMap, vec::Vec};
use assay_primitives::{EarningSource, Earnings};
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::{Fortitude, Preservation},
		},
	},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::{
		traits::{Saturating, UniqueSaturatedInto, Zero},
		DispatchResult,
	},
};

/// One meter's part in a slot, gathered from its filled orders. A meter is one
/// participant: its orders in a slot all have one owner (the registry does not let a meter
/// change owner while it has orders in an unsettled slot).
pub(crate) struct Participant<T: Config> {
	/// The meter.
	pub(crate) meter: T::AccountId,
	/// The owner of its orders.
	pub(crate) owner: T::AccountId,
	/// Filled on the buy side, Wh.
	pub(crate) bought_wh: u64,
	/// Filled on the sell side, Wh.
	pub(crate) sold_wh: u64,
	/// Collateral still held for its filled orders.
	pub(crate) held: BalanceOf<T>,
}

impl<T: Config> Pallet<T> {
	/// A slot's orders, both sides, with their fills from `clearing`.
	pub(crate) fn slot_orders(
		zone: ZoneId,
		slot: SlotIndex,
		clearing: Option<&ClearingOf<T>>,
	) -> Vec<(OrderId, OrderOf<T>, u64)> {
		let fills: BTreeMap<OrderId, u64> =
			clearing.map(|c| c.fills.iter().copied().collect()).unwrap_or_default();
		[Side::Buy, Side::Sell]
			.into_iter()
			.flat_map(|side| Books::<T>::get((zone, slot, side)).into_inner())
			.filter_map(|id| {
				Orders::<T>::get(id).map(|o| (id, o, fills.get(&id).copied().unwrap_or(0)))
			})
			.collect()
	}

	/// The meters that traded, each once, with what they bought and sold and still hold.
	pub(crate) fn participants(orders: &[(OrderId, OrderOf<T>, u64)]) -> Vec<Participant<T>> {
		let mut parts: BTreeMap<T::AccountId, Participant<T>> = BTreeMap::new();
		for (_, order, fill) in orders.iter().filter(|(_, _, fill)| *fill > 0) {
			let part = parts.entry(order.meter.clone()).or_insert_with(|| Participant {
				meter: order.meter.clone(),
				owner: order.owner.clone(),
				bought_wh: 0,
				sold_wh: 0,
				held: Zero::zero(),
			});
			match order.side {
				Side::Buy => part.bought_wh = part.bought_wh.saturating_add(*fill),
				Side::Sell => part.sold_wh = part.sold_wh.saturating_add(*fill),
			}
			part.held = part.held.saturating_add(Self::kept_collateral(order, *fill));
		}
		parts.into_values().collect()
	}

	/// A meter's net export over `slot`, Wh, from its readings at the slot's two
	/// boundaries; `None` if either is missing.
	pub(crate) fn metered_export(meter: &T::AccountId, slot: SlotIndex) -> Option<i128> {
		let (import_start, export_start) = Readings::<T>::get(meter, slot)?;
		let (import_end, export_end) = Readings::<T>::get(meter, slot.saturating_add(1))?;
		let exported = i128::from(export_end.saturating_sub(export_start));
		let imported = i128::from(import_end.saturating_sub(import_start));
		Some(exported - imported)
	}

	/// The net export a meter is settled with: what its readings measured or, with a
	/// reading missing, the worst it could have measured — nothing exported and its full
	/// capacity imported. Withholding readings therefore never settles better than any
	/// reading the meter could have sent.
	pub(crate) fn settled_export(meter: &T::AccountId, metered: Option<i128>) -> i128 {
		metered.unwrap_or_else(|| -i128::from(Self::meter_capacity_wh(meter)))
	}

	/// Delivery must be over, and every participant's readings (`metered`, one per
	/// participant) in unless their window has closed (then a missing reading counts as no
	/// delivery).
	fn check_settleable(
		slot: SlotIndex,
		metered: &[Option<i128>],
		params: &MarketParams<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		let now = Self::current_slot(params);
		let delivery_over = slot.saturating_add(1);
		ensure!(now >= delivery_over, Error::<T>::SettlementTooEarly);
		let window_closed = now >= delivery_over.saturating_add(params.reading_window);
		ensure!(
			window_closed || metered.iter().all(Option::is_some),
			Error::<T>::SettlementTooEarly
		);
		Ok(())
	}

	/// Adds to `debtor`'s debt to `creditor`.
	fn record_debt(debtor: &T::AccountId, creditor: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		Debts::<T>::mutate(debtor, creditor, |debt| {
			*debt = Some(debt.unwrap_or_default().saturating_add(amount));
		});
		Self::deposit_event(Event::DebtRecorded {
			debtor: debtor.clone(),
			creditor: creditor.clone(),
			amount,
		});
	}

	/// Moves up to `amount` of `from`'s free balance to `to` (never below the existential
	/// deposit); returns what moved.
	fn pay_from_free(from: &T::AccountId, to: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		let can = T::Currency::reducible_balance(from, Preservation::Preserve, Fortitude::Polite)
			.min(amount);
		if can.is_zero() {
			return can;
		}
		T::Currency::transfer(from, to, can, Preservation::Preserve)
			.unwrap_or_else(|_| Zero::zero())
	}

	/// A participant that owes `owed`: from its collateral, then its free balance, the
	/// rest as debt to the grid, which the meter carries too. Returns the debt.
	fn collect(part: &Participant<T>, grid: &T::AccountId, owed: BalanceOf<T>) -> BalanceOf<T> {
		let from_hold = Self::pay_from_collateral(&part.owner, grid, owed.min(part.held));
		Self::release_collateral(&part.owner, part.held.saturating_sub(from_hold));
		let rest = owed.saturating_sub(from_hold);
		let debt = rest.saturating_sub(Self::pay_from_free(&part.owner, grid, rest));
		Self::record_debt(&part.owner, grid, debt);
		if !debt.is_zero() {
			MeterDebtor::<T>::insert(&part.meter, &part.owner);
		}
		debt
	}

	/// A participant due `due`: its collateral released and `due` paid by the grid, the
	/// rest as the grid's debt to it. What was paid is recorded as Energy earnings (the
	/// rest when the grid pays its debt). Returns the debt.
	fn pay_out(part: &Participant<T>, grid: &T::AccountId, due: BalanceOf<T>) -> BalanceOf<T> {
		Self::release_collateral(&part.owner, part.held);
		let paid = Self::pay_from_free(grid, &part.owner, due);
		let debt = due.saturating_sub(paid);
		Self::record_debt(grid, &part.owner, debt);
		if !paid.is_zero() {
			T::Earnings::record(&part.owner, EarningSource::Energy, paid);
		}
		debt
	}

	/// Whether `who` is a zone's grid account: its debts are unpaid settlement receipts,
	/// earnings of their creditors once paid.
	fn is_grid_account(who: &T::AccountId) -> bool {
		Zones::<T>::iter_values().any(|zone| &zone.grid_account == who)
	}

	pub(crate) fn do_settle_slot(zone: ZoneId, slot: SlotIndex) -> DispatchResultWithPostInfo {
		let params = Self::params()?;
		let mut clearing = Clearings::<T>::get((zone, slot)).ok_or(Error::<T>::NotCleared)?;
		ensure!(clearing.settled.is_none(), Error::<T>::AlreadySettled);
		let orders = Self::slot_orders(zone, slot, Some(&clearing));
		let parts = Self::participants(&orders);
		let metered: Vec<Option<i128>> =
			parts.iter().map(|p| Self::metered_export(&p.meter, slot)).collect();
		Self::check_settleable(slot, &metered, &params)?;
		let positions: Vec<Position> = parts
			.iter()
			.zip(&metered)
			.map(|(p, m)| Position {
				bought_wh: p.bought_wh,
				sold_wh: p.sold_wh,
				metered_export_wh: Self::settled_export(&p.meter, *m),
			})
			.collect();
		let prices = Prices {
			clearing: clearing.price,
			import: clearing.import_price,
			export: clearing.export_price,
		};
		let (amounts, grid_net) = settlement::settle(&positions, &prices);

		// Payers first, so the grid account has their money before it pays out.
		let grid = clearing.grid_account.clone();
		let mut debts: Vec<BalanceOf<T>> = alloc::vec![Zero::zero(); parts.len()];
		for (k, (part, amount)) in parts.iter().zip(&amounts).enumerate() {
			if amount.net() < 0 {
				debts[k] =
					Self::collect(part, &grid, Self::micro_to_balance(amount.net().unsigned_abs()));
			}
		}
		for (k, (part, amount)) in parts.iter().zip(&amounts).enumerate() {
			if amount.net() >= 0 {
				debts[k] =
					Self::pay_out(part, &grid, Self::micro_to_balance(amount.net().unsigned_abs()));
			}
		}

		let mut totals =
			SettlementTotals { participants: parts.len() as u32, grid_net, ..Default::default() };
		for (k, part) in parts.iter().enumerate() {
			let (position, amount) = (&positions[k], &amounts[k]);
			let debt: u128 = debts[k].unique_saturated_into();
			totals.participants_net = totals.participants_net.saturating_add(amount.net());
			totals.debt_recorded = totals.debt_recorded.saturating_add(debt);
			Self::deposit_event(Event::PositionSettled {
				zone,
				slot,
				meter: part.meter.clone(),
				owner: part.owner.clone(),
				committed_export_wh: position.committed_export_wh(),
				metered_export_wh: position.metered_export_wh,
				net: amount.net(),
				debt,
			});
			SettledPositions::<T>::insert(
				(zone, slot),
				&part.meter,
				SettledPosition {
					owner: part.owner.clone(),
					bought_wh: part.bought_wh,
					sold_wh: part.sold_wh,
					metered_export_wh: position.metered_export_wh,
					metered: metered[k].is_some(),
					trade: amount.trade,
					deviation: amount.deviation,
					debt,
				},
			);
		}

		for (id, order, _) in &orders {
			Orders::<T>::remove(id);
			MeterBook::<T>::remove(&order.meter, (slot, order.side));
		}
		Books::<T>::remove((zone, slot, Side::Buy));
		Books::<T>::remove((zone, slot, Side::Sell));
		clearing.settled = Some(totals);
		Clearings::<T>::insert((zone, slot), clearing);
		Self::deposit_event(Event::SlotSettled { zone, slot, totals });
		Ok(Some(T::WeightInfo::settle_slot(orders.len() as u32)).into())
	}

	pub(crate) fn do_pay_debt(
		who: T::AccountId,
		creditor: T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let debt = Debts::<T>::get(&who, &creditor).ok_or(Error::<T>::NoDebt)?;
		let pay = debt.min(amount);
		T::Currency::transfer(&who, &creditor, pay, Preservation::Preserve)?;
		let remaining = debt.saturating_sub(pay);
		if remaining.is_zero() {
			Debts::<T>::remove(&who, &creditor);
		} else {
			Debts::<T>::insert(&who, &creditor, remaining);
		}
		if Self::is_grid_account(&who) && !pay.is_zero() {
			T::Earnings::record(&creditor, EarningSource::Energy, pay);
		}
		Self::deposit_event(Event::DebtPaid { debtor: who, creditor, amount: pay, remaining });
		Ok(())
	}
}
