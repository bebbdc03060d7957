//! The one device-signed report mechanism. Every report (heartbeat here; beacons,
//! witnesses and meter readings in other pallets) is validated by `validate_report` in the
//! transaction pool and again when a block includes it, and consumed by `consume_report`
//! when dispatched. Each check is a named function returning a `ReportRejection`.

use crate::{Config, DeviceOf, Devices, Error, Event, Pallet, Reports};
use assay_primitives::{DeviceReports, DeviceStatus, ReportRejection};
use assay_wire::devices;
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::*},
	frame_system,
	sp_runtime::{
		traits::Verify, transaction_validity::TransactionValidityWithRefund, AccountId32,
		DispatchError, DispatchResult, MultiSignature,
	},
};

impl<T: Config> Pallet<T> {
	/// The block must have room for feeless reports: its normal-class weight so far (what
	/// `CheckWeight` counted, a read every transaction makes anyway) is below
	/// `ReportShare` of the normal class's limit. In the pool the block is a fresh one, so
	/// a report is refused only when a block being built has no more room for reports, and
	/// `ExhaustsResources` keeps it in the pool for the next.
	fn check_report_room() -> Result<(), ReportRejection> {
		let weights = <T as frame_system::Config>::BlockWeights::get();
		let normal = weights.get(DispatchClass::Normal);
		let limit = normal.max_total.unwrap_or(weights.max_block);
		let share = T::ReportShare::get();
		let room = Weight::from_parts(share * limit.ref_time(), share * limit.proof_size());
		let used = *frame_system::Pallet::<T>::block_weight().get(DispatchClass::Normal);
		ensure!(used.all_lt(room), ReportRejection::NoRoom);
		Ok(())
	}

	/// The device must be registered.
	fn check_device_known(device: &T::AccountId) -> Result<DeviceOf<T>, ReportRejection> {
		Devices::<T>::get(device).ok_or(ReportRejection::UnknownDevice)
	}

	/// The device must be Active.
	fn check_device_active(info: &DeviceOf<T>) -> Result<(), ReportRejection> {
		ensure!(info.status == DeviceStatus::Active, ReportRejection::DeviceNotActive);
		Ok(())
	}

	/// The nonce must not be used yet; returns the next expected one.
	fn check_nonce_fresh(device: &T::AccountId, nonce: u64) -> Result<u64, ReportRejection> {
		let expected = Reports::<T>::get(device).next_nonce;
		ensure!(nonce >= expected, ReportRejection::StaleNonce);
		Ok(expected)
	}

	/// In a block, exactly the next nonce: a report further ahead is valid in the pool
	/// (it waits for its turn) but would fail its dispatch in a block, where it must not
	/// take space for nothing.
	fn check_nonce_due(
		nonce: u64,
		expected: u64,
		source: TransactionSource,
	) -> Result<(), ReportRejection> {
		ensure!(
			source != TransactionSource::InBlock || nonce == expected,
			ReportRejection::FutureNonce
		);
		Ok(())
	}

	/// At most `MaxReportsPerBlock` reports of a device are included per block, and at
	/// most that many wait ahead of it in the pool.
	fn check_rate_limit(
		device: &T::AccountId,
		nonce: u64,
		expected: u64,
	) -> Result<(), ReportRejection> {
		let max = T::MaxReportsPerBlock::get();
		ensure!(nonce < expected.saturating_add(max as u64), ReportRejection::RateLimited);
		let state = Reports::<T>::get(device);
		let now = frame_system::Pallet::<T>::block_number();
		let included_now = if state.last_seen == Some(now) { state.in_block } else { 0 };
		ensure!(included_now < max, ReportRejection::RateLimited);
		Ok(())
	}

	/// The device's signature over `("assay/report", genesis_hash, nonce, payload)`.
	fn check_report_signature(
		device: &T::AccountId,
		nonce: u64,
		payload: &[u8],
		signature: &MultiSignature,
	) -> Result<(), ReportRejection> {
		let message = devices::report(&Self::genesis_hash(), nonce, payload);
		let signer: AccountId32 = device.clone().into();
		ensure!(signature.verify(&message[..], &signer), ReportRejection::BadSignature);
		Ok(())
	}

	/// The device's signature over `("assay/unique-report", genesis_hash, payload)`.
	fn check_unique_report_signature(
		device: &T::AccountId,
		payload: &[u8],
		signature: &MultiSignature,
	) -> Result<(), ReportRejection> {
		let message = devices::unique_report(&Self::genesis_hash(), payload);
		let signer: AccountId32 = device.clone().into();
		ensure!(signature.verify(&message[..], &signer), ReportRejection::BadSignature);
		Ok(())
	}

	/// `#[pallet::authorize]` adapter: a report's validity for the pool.
	pub(crate) fn authorize_report(
		device: &T::AccountId,
		nonce: u64,
		payload: &[u8],
		signature: &MultiSignature,
		source: TransactionSource,
	) -> TransactionValidityWithRefund {
		let valid = <Self as DeviceReports<T::AccountId, MultiSignature>>::validate_report(
			device, nonce, payload, signature, source,
		)?;
		Ok((valid, Weight::zero()))
	}

	pub(crate) fn do_heartbeat(device: T::AccountId, nonce: u64) -> DispatchResult {
		<Self as DeviceReports<T::AccountId, MultiSignature>>::consume_report(&device, nonce)?;
		Self::deposit_event(Event::Heartbeat { device, nonce });
		Ok(())
	}
}

impl<T: Config> DeviceReports<T::AccountId, MultiSignature> for Pallet<T> {
	fn validate_report(
		device: &T::AccountId,
		nonce: u64,
		payload: &[u8],
		signature: &MultiSignature,
		source: TransactionSource,
	) -> Result<ValidTransaction, ReportRejection> {
		Self::check_report_room()?;
		let info = Self::check_device_known(device)?;
		Self::check_device_active(&info)?;
		let expected = Self::check_nonce_fresh(device, nonce)?;
		Self::check_nonce_due(nonce, expected, source)?;
		Self::check_rate_limit(device, nonce, expected)?;
		Self::check_report_signature(device, nonce, payload, signature)?;

		Ok(assay_primitives::pool::nonce_report(device, nonce, expected))
	}

	fn consume_report(device: &T::AccountId, nonce: u64) -> Result<(), DispatchError> {
		Reports::<T>::try_mutate(device, |state| {
			ensure!(nonce == state.next_nonce, Error::<T>::BadNonce);
			let now = frame_system::Pallet::<T>::block_number();
			state.next_nonce = state.next_nonce.saturating_add(1);
			state.in_block =
				if state.last_seen == Some(now) { state.in_block.saturating_add(1) } else { 1 };
			state.last_seen = Some(now);
			Ok(())
		})
	}

	fn validate_unique_report(
		device: &T::AccountId,
		payload: &[u8],
		signature: &MultiSignature,
	) -> Result<(), ReportRejection> {
		Self::check_report_room()?;
		Self::check_unique_report_signer(device, payload, signature)
	}

	fn check_unique_report_signer(
		device: &T::AccountId,
		payload: &[u8],
		signature: &MultiSignature,
	) -> Result<(), ReportRejection> {
		let info = Self::check_device_known(device)?;
		Self::check_device_active(&info)?;
		Self::check_unique_report_signature(device, payload, signature)
	}
}
