//! Zones, meters, orders and their collateral: each protocol check a small named function
//! returning the pallet's typed error.

use crate::settlement::value_up;
use crate::{
	BalanceOf, Books, ClearingDue, Config, Debts, Error, Event, HoldReason, MarketParams,
	MeterBook, MeterDebtor, MeterInfo, MeterOrders, Meters, NextOrderId, Order, OrderId, OrderOf,
	Orders, Pallet, Params, Side, SlotIndex, Zone, ZoneCount, ZoneId, ZoneOf, Zones,
};
use assay_primitives::{DeviceClaims, DeviceKind, DeviceRegistry};
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::MutateHold,
			tokens::{Fortitude, Precision},
		},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		traits::{Saturating, UniqueSaturatedFrom, UniqueSaturatedInto, Zero},
		DispatchError, DispatchResult,
	},
};

impl<T: Config> Pallet<T> {
	/// The parameters, or `NotConfigured`.
	pub(crate) fn params() -> Result<MarketParams<BlockNumberFor<T>>, Error<T>> {
		Params::<T>::get().ok_or(Error::<T>::NotConfigured)
	}

	/// Every book of a slot is cleared within the slot before it (`slot_length ·
	/// MaxClearingsPerBlock ≥ MaxZones`); readings are kept longer than their window.
	pub(crate) fn check_params(params: &MarketParams<BlockNumberFor<T>>) -> Result<(), Error<T>> {
		let slot_length: u32 = params.slot_length.unique_saturated_into();
		ensure!(
			slot_length.saturating_mul(T::MaxClearingsPerBlock::get()) >= T::MaxZones::get(),
			Error::<T>::InvalidParams
		);
		ensure!(params.reading_window >= 1, Error::<T>::InvalidParams);
		ensure!(
			params.reading_retention > params.reading_window.saturating_add(1),
			Error::<T>::InvalidParams
		);
		Ok(())
	}

	/// The slot `block` falls in.
	pub(crate) fn slot_of(
		block: BlockNumberFor<T>,
		params: &MarketParams<BlockNumberFor<T>>,
	) -> SlotIndex {
		(block / params.slot_length).unique_saturated_into()
	}

	/// The current slot.
	pub(crate) fn current_slot(params: &MarketParams<BlockNumberFor<T>>) -> SlotIndex {
		Self::slot_of(frame_system::Pallet::<T>::block_number(), params)
	}

	/// A bound meter's capacity, Wh per slot (0 if it is not bound).
	pub(crate) fn meter_capacity_wh(meter: &T::AccountId) -> u64 {
		Meters::<T>::get(meter).map_or(0, |info| info.capacity_wh)
	}

	/// µASY as a balance.
	pub(crate) fn micro_to_balance(micro: u128) -> BalanceOf<T> {
		BalanceOf::<T>::unique_saturated_from(micro).saturating_mul(T::MicroUnit::get())
	}

	/// The hold reason of order collateral.
	pub(crate) fn collateral_reason() -> T::RuntimeHoldReason {
		HoldReason::OrderCollateral.into()
	}

	/// Releases up to `amount` of `who`'s order collateral (never fails: what is held
	/// for orders is at least what their records say).
	pub(crate) fn release_collateral(who: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		let released =
			T::Currency::release(&Self::collateral_reason(), who, amount, Precision::BestEffort);
		if !matches!(released, Ok(r) if r == amount) {
			log::error!(target: "runtime::energy-market", "released less collateral than recorded");
		}
	}

	/// λ_exp ≤ λ_imp and λ_imp > 0.
	fn check_prices(import_price: u64, export_price: u64) -> Result<(), Error<T>> {
		ensure!(import_price > 0 && export_price <= import_price, Error::<T>::InvalidPrices);
		Ok(())
	}

	/// The zone must exist.
	pub(crate) fn check_zone(zone: ZoneId) -> Result<ZoneOf<T>, Error<T>> {
		Zones::<T>::get(zone).ok_or(Error::<T>::UnknownZone)
	}

	/// The device must be a registered EnergyMeter.
	fn check_energy_meter(device: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(
			T::Devices::kind_of(device) == Some(DeviceKind::EnergyMeter),
			Error::<T>::NotAnEnergyMeter
		);
		Ok(())
	}

	/// The caller must own the device.
	fn check_owner(who: &T::AccountId, device: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(T::Devices::owner_of(device).as_ref() == Some(who), Error::<T>::NotMeterOwner);
		Ok(())
	}

	/// The meter must be Active.
	fn check_meter_active(device: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(T::Devices::is_active(device), Error::<T>::MeterNotActive);
		Ok(())
	}

	/// The meter must be bound; returns its record.
	pub(crate) fn check_bound(device: &T::AccountId) -> Result<MeterInfo, Error<T>> {
		Meters::<T>::get(device).ok_or(Error::<T>::MeterNotBound)
	}

	/// The capacity must take at least the smallest order, and at most
	/// `MAX_METER_CAPACITY_WH`.
	fn check_capacity(capacity_wh: u64) -> Result<(), Error<T>> {
		ensure!(capacity_wh >= T::MinOrderWh::get().max(1), Error::<T>::InvalidCapacity);
		ensure!(capacity_wh <= crate::MAX_METER_CAPACITY_WH, Error::<T>::InvalidCapacity);
		Ok(())
	}

	/// A meter's position is open while it has orders in a slot that is not settled.
	fn check_no_open_position(meter: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(MeterBook::<T>::iter_prefix(meter).next().is_none(), Error::<T>::OpenPosition);
		Ok(())
	}

	/// An account with market debt places no orders.
	fn check_no_debt(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(Debts::<T>::iter_prefix(who).next().is_none(), Error::<T>::OutstandingDebt);
		Ok(())
	}

	/// A meter whose settlement left a debt stays encumbered until its debtor owes nothing,
	/// whoever owns it now.
	fn check_meter_clear(meter: &T::AccountId) -> Result<(), Error<T>> {
		if let Some(debtor) = MeterDebtor::<T>::get(meter) {
			ensure!(Debts::<T>::iter_prefix(&debtor).next().is_none(), Error::<T>::MeterInDebt);
		}
		Ok(())
	}

	/// Orders are taken at most `OrderHorizon` slots ahead.
	fn check_horizon(
		slot: SlotIndex,
		params: &MarketParams<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		ensure!(
			slot <= Self::current_slot(params).saturating_add(T::OrderHorizon::get()),
			Error::<T>::BeyondHorizon
		);
		Ok(())
	}

	/// Room for one more order of `qty_wh` on the meter's side of the slot: fewer than
	/// `MaxOrdersPerMeter` orders, and their sum within the meter's capacity in a slot.
	/// Returns the meter's orders with this one added.
	fn check_meter_room(
		meter: &T::AccountId,
		slot: SlotIndex,
		side: Side,
		qty_wh: u64,
		capacity_wh: u64,
	) -> Result<MeterOrders, Error<T>> {
		let mut ordered = MeterBook::<T>::get(meter, (slot, side));
		ensure!(ordered.count < T::MaxOrdersPerMeter::get(), Error::<T>::TooManyMeterOrders);
		ordered.count = ordered.count.saturating_add(1);
		ordered.qty_wh = ordered.qty_wh.saturating_add(qty_wh);
		ensure!(ordered.qty_wh <= capacity_wh, Error::<T>::OverCapacity);
		Ok(ordered)
	}

	/// Orders for `slot` are taken while the current slot is more than one slot before it.
	pub(crate) fn check_gate_open(
		slot: SlotIndex,
		params: &MarketParams<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		ensure!(Self::current_slot(params).saturating_add(1) < slot, Error::<T>::GateClosed);
		Ok(())
	}

	/// At least the smallest order.
	fn check_quantity(qty_wh: u64) -> Result<(), Error<T>> {
		ensure!(qty_wh >= T::MinOrderWh::get().max(1), Error::<T>::QuantityTooSmall);
		Ok(())
	}

	/// The price within the zone's [λ_exp, λ_imp].
	fn check_price_in_band(price: u64, zone: &ZoneOf<T>) -> Result<(), Error<T>> {
		ensure!(
			(zone.export_price..=zone.import_price).contains(&price),
			Error::<T>::PriceOutsideBand
		);
		Ok(())
	}

	/// Room in the book for one more order.
	fn check_book_room(zone: ZoneId, slot: SlotIndex, side: Side) -> Result<(), Error<T>> {
		let len = Books::<T>::decode_len((zone, slot, side)).unwrap_or(0);
		ensure!(len < T::MaxOrdersPerSide::get() as usize, Error::<T>::TooManyOrders);
		Ok(())
	}

	pub(crate) fn do_set_zone(
		zone: ZoneId,
		import_price: u64,
		export_price: u64,
		grid_account: T::AccountId,
	) -> DispatchResult {
		Self::check_prices(import_price, export_price)?;
		if !Zones::<T>::contains_key(zone) {
			let count = ZoneCount::<T>::get();
			ensure!(count < T::MaxZones::get(), Error::<T>::TooManyZones);
			ZoneCount::<T>::put(count.saturating_add(1));
		}
		Zones::<T>::insert(
			zone,
			Zone { import_price, export_price, grid_account: grid_account.clone() },
		);
		Self::deposit_event(Event::ZoneSet { zone, import_price, export_price, grid_account });
		Ok(())
	}

	pub(crate) fn do_bind_meter(
		who: T::AccountId,
		device: T::AccountId,
		zone: ZoneId,
		capacity_wh: u64,
	) -> DispatchResult {
		Self::check_energy_meter(&device)?;
		Self::check_owner(&who, &device)?;
		Self::check_zone(zone)?;
		Self::check_capacity(capacity_wh)?;
		ensure!(!Meters::<T>::contains_key(&device), Error::<T>::MeterAlreadyBound);
		Meters::<T>::insert(&device, MeterInfo { zone, capacity_wh });
		Self::deposit_event(Event::MeterBound { meter: device, zone, capacity_wh });
		Ok(())
	}

	pub(crate) fn do_unbind_meter(who: T::AccountId, device: T::AccountId) -> DispatchResult {
		Self::check_owner(&who, &device)?;
		Self::check_bound(&device)?;
		Self::check_no_open_position(&device)?;
		Self::check_meter_clear(&device)?;
		Meters::<T>::remove(&device);
		MeterDebtor::<T>::remove(&device);
		Self::deposit_event(Event::MeterUnbound { meter: device });
		Ok(())
	}

	pub(crate) fn do_place_order(
		who: T::AccountId,
		meter: T::AccountId,
		slot: SlotIndex,
		side: Side,
		qty_wh: u64,
		price: u64,
	) -> DispatchResult {
		let params = Self::params()?;
		let info = Self::check_bound(&meter)?;
		Self::check_owner(&who, &meter)?;
		Self::check_meter_active(&meter)?;
		Self::check_no_debt(&who)?;
		Self::check_meter_clear(&meter)?;
		Self::check_gate_open(slot, &params)?;
		Self::check_horizon(slot, &params)?;
		Self::check_quantity(qty_wh)?;
		let zone = Self::check_zone(info.zone)?;
		Self::check_price_in_band(price, &zone)?;
		Self::check_book_room(info.zone, slot, side)?;
		let ordered = Self::check_meter_room(&meter, slot, side, qty_wh, info.capacity_wh)?;

		let collateral_price = match side {
			Side::Buy => price,
			Side::Sell => zone.import_price,
		};
		let collateral = Self::micro_to_balance(value_up(u128::from(qty_wh), collateral_price));
		T::Currency::hold(&Self::collateral_reason(), &who, collateral)
			.map_err(|_| Error::<T>::InsufficientCollateral)?;

		let id = NextOrderId::<T>::get();
		NextOrderId::<T>::put(id.saturating_add(1));
		Books::<T>::try_mutate((info.zone, slot, side), |book| book.try_push(id))
			.map_err(|_| Error::<T>::TooManyOrders)?;
		ClearingDue::<T>::try_mutate(slot, |zones| {
			if zones.contains(&info.zone) {
				Ok(())
			} else {
				zones.try_push(info.zone)
			}
		})
		.map_err(|_| Error::<T>::TooManyZones)?;
		let order: OrderOf<T> = Order {
			owner: who.clone(),
			meter: meter.clone(),
			zone: info.zone,
			slot,
			side,
			qty_wh,
			price,
			collateral_price,
			collateral,
		};
		Orders::<T>::insert(id, order);
		MeterBook::<T>::insert(&meter, (slot, side), ordered);
		let zone_id = info.zone;
		Self::deposit_event(Event::OrderPlaced {
			order: id,
			owner: who,
			meter,
			zone: zone_id,
			slot,
			side,
			qty_wh,
			price,
			collateral,
		});
		Ok(())
	}

	pub(crate) fn do_cancel_order(who: T::AccountId, id: OrderId) -> DispatchResult {
		let params = Self::params()?;
		let order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		ensure!(order.owner == who, Error::<T>::NotOrderOwner);
		Self::check_gate_open(order.slot, &params)?;
		Books::<T>::mutate((order.zone, order.slot, order.side), |book| book.retain(|o| *o != id));
		Orders::<T>::remove(id);
		Self::forget_meter_order(&order);
		Self::release_collateral(&who, order.collateral);
		Self::deposit_event(Event::OrderCancelled { order: id });
		Ok(())
	}

	/// Takes a cancelled order out of its meter's count for its slot and side.
	fn forget_meter_order(order: &OrderOf<T>) {
		let key = (order.slot, order.side);
		let mut ordered = MeterBook::<T>::get(&order.meter, key);
		ordered.count = ordered.count.saturating_sub(1);
		ordered.qty_wh = ordered.qty_wh.saturating_sub(order.qty_wh);
		if ordered.count == 0 {
			MeterBook::<T>::remove(&order.meter, key);
		} else {
			MeterBook::<T>::insert(&order.meter, key, ordered);
		}
	}

	/// The collateral an order keeps once `filled_wh` of it traded:
	/// `⌈filled · collateral_price / 1000⌉` µASY (all of it when fully filled).
	pub(crate) fn kept_collateral(order: &OrderOf<T>, filled_wh: u64) -> BalanceOf<T> {
		if filled_wh >= order.qty_wh {
			return order.collateral;
		}
		Self::micro_to_balance(value_up(u128::from(filled_wh), order.collateral_price))
			.min(order.collateral)
	}

	/// Forcibly moves up to `amount` held as collateral from `from` to `to`; returns what
	/// moved.
	pub(crate) fn pay_from_collateral(
		from: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		use polkadot_sdk::frame_support::traits::tokens::Restriction;
		if amount.is_zero() {
			return amount;
		}
		T::Currency::transfer_on_hold(
			&Self::collateral_reason(),
			from,
			to,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_else(|_| Zero::zero())
	}
}

/// The registry asks before a meter changes owner or leaves: not while it has an open
/// position (its orders and readings settle with its current owner) or an unpaid debt.
impl<T: Config> DeviceClaims<T::AccountId> for Pallet<T> {
	fn ensure_releasable(device: &T::AccountId) -> Result<(), DispatchError> {
		Self::check_no_open_position(device)?;
		Self::check_meter_clear(device)?;
		Ok(())
	}

	fn on_deregistered(device: &T::AccountId) {
		Meters::<T>::remove(device);
		MeterDebtor::<T>::remove(device);
	}

	fn weight() -> Weight {
		// `ensure_releasable` reads the meter's book prefix, its debtor and the debtor's
		// debts; `on_deregistered` removes two entries.
		T::DbWeight::get().reads_writes(3, 2)
	}
}
