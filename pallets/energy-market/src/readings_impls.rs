//! Meter readings: device-signed cumulative registers at slot boundaries. Every check runs
//! in the call's `authorize` (in the transaction pool and again when a block includes it)
//! and once more in the call, so a refused reading never takes block space and a direct
//! dispatch changes nothing either.

use crate::{Config, Error, Event, LastReading, MarketParams, Pallet, Readings, SlotIndex};
use assay_primitives::DeviceReports;
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::*},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::{
		transaction_validity::TransactionValidityWithRefund, DispatchResult, MultiSignature,
	},
};

/// A refused reading: the pallet error as a pool rejection (`Custom(96 + index)`, the base
/// in `assay_wire::pool::base`).
pub(crate) fn invalid<T: Config>(error: Error<T>) -> TransactionValidityError {
	assay_primitives::pool_rejection(error.into(), assay_wire::pool::base::ENERGY_MARKET)
}

impl<T: Config> Pallet<T> {
	/// The boundary must have been reached: a reading for the start of a slot that has not
	/// begun is for an unknown slot.
	fn check_boundary_reached(
		boundary: SlotIndex,
		params: &MarketParams<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		ensure!(boundary <= Self::current_slot(params), Error::<T>::UnknownSlot);
		Ok(())
	}

	/// A boundary's reading is taken within `reading_window` slots after it.
	fn check_reading_window(
		boundary: SlotIndex,
		params: &MarketParams<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		ensure!(
			Self::current_slot(params) < boundary.saturating_add(params.reading_window),
			Error::<T>::ReadingWindowClosed
		);
		Ok(())
	}

	/// Boundaries only move forward, and registers never go backwards.
	fn check_monotonic(
		last: Option<(SlotIndex, u64, u64)>,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
	) -> Result<(), Error<T>> {
		if let Some((last_boundary, last_import, last_export)) = last {
			ensure!(boundary > last_boundary, Error::<T>::ReadingExists);
			ensure!(
				import_wh >= last_import && export_wh >= last_export,
				Error::<T>::NonMonotonicRegister
			);
		}
		Ok(())
	}

	/// Neither register advances faster than the meter's capacity: by at most its
	/// capacity in a slot per slot since its last reading. (A first reading sets the
	/// registers' origin.)
	fn check_plausible(
		last: Option<(SlotIndex, u64, u64)>,
		capacity_wh: u64,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
	) -> Result<(), Error<T>> {
		if let Some((last_boundary, last_import, last_export)) = last {
			let slots = u64::from(boundary.saturating_sub(last_boundary));
			let most = capacity_wh.saturating_mul(slots);
			ensure!(
				import_wh.saturating_sub(last_import) <= most
					&& export_wh.saturating_sub(last_export) <= most,
				Error::<T>::ImplausibleReading
			);
		}
		Ok(())
	}

	/// Every rule a reading must meet besides its signature and nonce; returns the
	/// parameters it was checked against.
	fn check_reading(
		meter: &T::AccountId,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
	) -> Result<MarketParams<BlockNumberFor<T>>, Error<T>> {
		let params = Self::params()?;
		let info = Self::check_bound(meter)?;
		Self::check_boundary_reached(boundary, &params)?;
		Self::check_reading_window(boundary, &params)?;
		let last = LastReading::<T>::get(meter);
		Self::check_monotonic(last, boundary, import_wh, export_wh)?;
		Self::check_plausible(last, info.capacity_wh, boundary, import_wh, export_wh)?;
		Ok(params)
	}

	pub(crate) fn authorize_reading(
		meter: &T::AccountId,
		nonce: u64,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
		signature: &MultiSignature,
		source: TransactionSource,
	) -> TransactionValidityWithRefund {
		// The cheap checks first: a reading that breaks a rule costs no signature check.
		Self::check_reading(meter, boundary, import_wh, export_wh).map_err(invalid)?;
		let payload = assay_wire::energy::reading_payload(meter, boundary, import_wh, export_wh);
		let valid = T::Reports::validate_report(meter, nonce, &payload, signature, source)?;
		Ok((valid, Weight::zero()))
	}

	pub(crate) fn do_submit_reading(
		meter: T::AccountId,
		nonce: u64,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
	) -> DispatchResult {
		let params = Self::check_reading(&meter, boundary, import_wh, export_wh)?;
		T::Reports::consume_report(&meter, nonce)?;
		if let Some(old) = boundary.checked_sub(params.reading_retention) {
			Readings::<T>::remove(&meter, old);
		}
		Readings::<T>::insert(&meter, boundary, (import_wh, export_wh));
		LastReading::<T>::insert(&meter, (boundary, import_wh, export_wh));
		Self::deposit_event(Event::ReadingSubmitted {
			meter,
			slot_boundary: boundary,
			import_register_wh: import_wh,
			export_register_wh: export_wh,
		});
		Ok(())
	}
}
