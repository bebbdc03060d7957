//! The registry's logic: each protocol check is a small named function returning a typed
//! error, and each call reads as the sequence of its checks.

use crate::{
	cells::{check_location_cell, CellRejection},
	BalanceOf, Config, DeniedEdges, DeviceInfo, DeviceOf, Devices, DevicesByOwner, Error, Event,
	HoldReason, MakerId, MakerInfo, Makers, Pallet, Registrations, TransferOffers,
};
use assay_primitives::{
	DeviceClaims, DeviceKind, DeviceRegistry, DeviceStatus, Location, OnLocationChanged,
};
use assay_wire::devices;
use codec::MaxEncodedLen;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
		},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		traits::{IdentifyAccount, Saturating, Verify, Zero},
		AccountId32, DispatchResult, MultiSignature, MultiSigner,
	},
};

impl<T: Config> Pallet<T> {
	// ---- the checks -------------------------------------------------------------------

	/// The maker must be on the allow-list.
	fn ensure_known_maker(id: MakerId) -> Result<MakerInfo<T::MaxMakerNameLen>, Error<T>> {
		Makers::<T>::get(id).ok_or(Error::<T>::UnknownMaker)
	}

	/// The maker must have attested `(device, kind)` with its signing key.
	fn ensure_maker_attested(
		maker: &MakerInfo<T::MaxMakerNameLen>,
		device: &T::AccountId,
		kind: DeviceKind,
		signature: &MultiSignature,
	) -> Result<(), Error<T>> {
		let message = devices::maker_attestation(device, kind);
		ensure!(signature.verify(&message[..], &maker.signer), Error::<T>::BadMakerSignature);
		Ok(())
	}

	/// The device must have consented to be registered by `owner` as `kind` on this chain,
	/// this time (its consent names how many times it was registered before).
	fn ensure_device_consented(
		device: &T::AccountId,
		owner: &T::AccountId,
		kind: DeviceKind,
		signature: &MultiSignature,
	) -> Result<(), Error<T>> {
		let registrations = Registrations::<T>::get(device);
		let message = devices::registration(&Self::genesis_hash(), owner, kind, registrations);
		let device: AccountId32 = device.clone().into();
		ensure!(signature.verify(&message[..], &device), Error::<T>::BadDeviceSignature);
		Ok(())
	}

	/// The device must not be registered yet.
	fn ensure_new_device(device: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(!Devices::<T>::contains_key(device), Error::<T>::DeviceExists);
		Ok(())
	}

	/// The device must be registered and owned by `who`.
	fn ensure_owned(who: &T::AccountId, device: &T::AccountId) -> Result<DeviceOf<T>, Error<T>> {
		let info = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
		ensure!(&info.owner == who, Error::<T>::NotOwner);
		Ok(info)
	}

	/// The device must not be Denied.
	fn ensure_not_denied(info: &DeviceOf<T>) -> Result<(), Error<T>> {
		ensure!(info.status != DeviceStatus::Denied, Error::<T>::DeviceDenied);
		Ok(())
	}

	/// A suspension stays with the device: a Suspended device does not leave (and come
	/// back Active).
	fn ensure_not_suspended(info: &DeviceOf<T>) -> Result<(), Error<T>> {
		ensure!(info.status != DeviceStatus::Suspended, Error::<T>::DeviceSuspended);
		Ok(())
	}

	/// The cell must be a valid H3 cell at resolution 12.
	fn ensure_valid_cell(cell: u64) -> Result<(), Error<T>> {
		check_location_cell(cell).map(|_| ()).map_err(|r| match r {
			CellRejection::Invalid => Error::<T>::InvalidCell,
			CellRejection::WrongResolution => Error::<T>::WrongCellResolution,
		})
	}

	/// The previous assertion must be at least `LocationCooldown` blocks old.
	fn ensure_cooldown_passed(
		previous: &Option<Location<BlockNumberFor<T>>>,
		now: BlockNumberFor<T>,
	) -> Result<(), Error<T>> {
		if let Some(previous) = previous {
			let ready_at = previous.asserted_at.saturating_add(T::LocationCooldown::get());
			ensure!(now >= ready_at, Error::<T>::LocationCooldown);
		}
		Ok(())
	}

	// ---- the calls --------------------------------------------------------------------

	pub(crate) fn do_add_maker(
		id: MakerId,
		name: BoundedVec<u8, T::MaxMakerNameLen>,
		signer: MultiSigner,
	) -> DispatchResult {
		ensure!(!Makers::<T>::contains_key(id), Error::<T>::MakerExists);
		Makers::<T>::insert(id, MakerInfo { name, signer: signer.into_account() });
		Self::deposit_event(Event::MakerAdded { maker: id });
		Ok(())
	}

	pub(crate) fn do_remove_maker(id: MakerId) -> DispatchResult {
		ensure!(Makers::<T>::contains_key(id), Error::<T>::UnknownMaker);
		Makers::<T>::remove(id);
		Self::deposit_event(Event::MakerRemoved { maker: id });
		Ok(())
	}

	pub(crate) fn do_register_device(
		owner: T::AccountId,
		device: MultiSigner,
		kind: DeviceKind,
		maker_id: MakerId,
		maker_signature: MultiSignature,
		device_signature: MultiSignature,
	) -> DispatchResult {
		let device: T::AccountId = device.into_account().into();
		Self::ensure_new_device(&device)?;
		let maker = Self::ensure_known_maker(maker_id)?;
		Self::ensure_maker_attested(&maker, &device, kind, &maker_signature)?;
		Self::ensure_device_consented(&device, &owner, kind, &device_signature)?;

		let deposit = Self::device_deposit();
		T::Currency::hold(&HoldReason::DeviceDeposit.into(), &owner, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let info = DeviceInfo {
			owner: owner.clone(),
			kind,
			maker: maker_id,
			location: None,
			status: DeviceStatus::Active,
			registered_at: frame_system::Pallet::<T>::block_number(),
			deposit,
		};
		Devices::<T>::insert(&device, info);
		DevicesByOwner::<T>::insert(&owner, &device, ());
		Registrations::<T>::mutate(&device, |n| *n = n.saturating_add(1));
		Self::deposit_event(Event::DeviceRegistered {
			device,
			owner,
			kind,
			maker: maker_id,
			deposit,
		});
		Ok(())
	}

	pub(crate) fn do_assert_location(
		owner: T::AccountId,
		device: T::AccountId,
		cell: u64,
		gain_dbi_x10: i16,
		elevation_m: i16,
	) -> DispatchResult {
		let mut info = Self::ensure_owned(&owner, &device)?;
		Self::ensure_not_denied(&info)?;
		Self::ensure_valid_cell(cell)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::ensure_cooldown_passed(&info.location, now)?;

		let fee = T::LocationFee::get();
		if !fee.is_zero() {
			T::Currency::burn_from(
				&owner,
				fee,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		let new = Location { cell, gain_dbi_x10, elevation_m, asserted_at: now };
		let old = info.location.replace(new);
		Devices::<T>::insert(&device, info);
		T::OnLocationChanged::on_location_changed(&device, old, &new);
		Self::deposit_event(Event::LocationAsserted {
			device,
			cell,
			gain_dbi_x10,
			elevation_m,
			fee,
		});
		Ok(())
	}

	/// `transfer_device`: the owner offers the device; nothing moves until it is accepted.
	pub(crate) fn do_transfer_device(
		owner: T::AccountId,
		device: T::AccountId,
		new_owner: T::AccountId,
	) -> DispatchResult {
		let info = Self::ensure_owned(&owner, &device)?;
		Self::ensure_not_denied(&info)?;
		ensure!(owner != new_owner, Error::<T>::SameOwner);
		T::DeviceClaims::ensure_releasable(&device)?;
		TransferOffers::<T>::insert(&device, &new_owner);
		Self::deposit_event(Event::TransferOffered { device, from: owner, to: new_owner });
		Ok(())
	}

	/// The device must be offered to `who`.
	fn ensure_offered_to(device: &T::AccountId, who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(
			TransferOffers::<T>::get(device).as_ref() == Some(who),
			Error::<T>::NoTransferOffer
		);
		Ok(())
	}

	/// `cancel_transfer`: the owner withdraws its offer.
	pub(crate) fn do_cancel_transfer(owner: T::AccountId, device: T::AccountId) -> DispatchResult {
		Self::ensure_owned(&owner, &device)?;
		ensure!(TransferOffers::<T>::take(&device).is_some(), Error::<T>::NoTransferOffer);
		Self::deposit_event(Event::TransferCancelled { device });
		Ok(())
	}

	/// `accept_device`: the account the device is offered to takes it, deposit and all.
	pub(crate) fn do_accept_device(
		new_owner: T::AccountId,
		device: T::AccountId,
	) -> DispatchResult {
		Self::ensure_offered_to(&device, &new_owner)?;
		let mut info = Devices::<T>::get(&device).ok_or(Error::<T>::UnknownDevice)?;
		Self::ensure_not_denied(&info)?;
		T::DeviceClaims::ensure_releasable(&device)?;
		let owner = info.owner.clone();

		let reason = HoldReason::DeviceDeposit.into();
		T::Currency::hold(&reason, &new_owner, info.deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Currency::release(&reason, &owner, info.deposit, Precision::BestEffort)?;
		info.owner = new_owner.clone();
		Devices::<T>::insert(&device, info);
		TransferOffers::<T>::remove(&device);
		DevicesByOwner::<T>::remove(&owner, &device);
		DevicesByOwner::<T>::insert(&new_owner, &device, ());
		Self::deposit_event(Event::DeviceTransferred { device, from: owner, to: new_owner });
		Ok(())
	}

	pub(crate) fn do_deregister_device(
		owner: T::AccountId,
		device: T::AccountId,
	) -> DispatchResult {
		let info = Self::ensure_owned(&owner, &device)?;
		Self::ensure_not_denied(&info)?;
		Self::ensure_not_suspended(&info)?;
		T::DeviceClaims::ensure_releasable(&device)?;

		T::Currency::release(
			&HoldReason::DeviceDeposit.into(),
			&owner,
			info.deposit,
			Precision::BestEffort,
		)?;
		// Told while the device is still registered, so the hook can read its kind.
		if let Some(old) = &info.location {
			T::OnLocationChanged::on_location_removed(&device, old);
		}
		Devices::<T>::remove(&device);
		DevicesByOwner::<T>::remove(&owner, &device);
		TransferOffers::<T>::remove(&device);
		// `Reports` stays: the nonce goes on if the device is registered again.
		T::DeviceClaims::on_deregistered(&device);
		Self::deposit_event(Event::DeviceDeregistered { device, owner, deposit: info.deposit });
		Ok(())
	}

	pub(crate) fn do_set_device_status(
		device: T::AccountId,
		status: DeviceStatus,
	) -> DispatchResult {
		Devices::<T>::try_mutate(&device, |info| -> DispatchResult {
			let info = info.as_mut().ok_or(Error::<T>::UnknownDevice)?;
			info.status = status;
			Ok(())
		})?;
		Self::deposit_event(Event::DeviceStatusChanged { device, status });
		Ok(())
	}

	pub(crate) fn do_set_edge(a: T::AccountId, b: T::AccountId, denied: bool) -> DispatchResult {
		ensure!(a != b, Error::<T>::SameDevice);
		ensure!(
			Devices::<T>::contains_key(&a) && Devices::<T>::contains_key(&b),
			Error::<T>::UnknownDevice
		);
		let (low, high) = Self::edge_key(&a, &b);
		if denied {
			DeniedEdges::<T>::insert(low, high, ());
			Self::deposit_event(Event::EdgeDenied { a, b });
		} else {
			DeniedEdges::<T>::remove(low, high);
			Self::deposit_event(Event::EdgeAllowed { a, b });
		}
		Ok(())
	}

	// ---- helpers ----------------------------------------------------------------------

	/// The deposit a device costs: `DepositBase + DepositPerByte × size of its record`.
	pub fn device_deposit() -> BalanceOf<T> {
		let bytes = DeviceOf::<T>::max_encoded_len()
			.saturating_add(T::AccountId::max_encoded_len().saturating_mul(2));
		T::DepositBase::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul((bytes as u32).into()))
	}

	/// This chain's genesis hash, which device signatures are bound to.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// The storage key of an edge: the pair in (lower, higher) order.
	fn edge_key<'a>(
		a: &'a T::AccountId,
		b: &'a T::AccountId,
	) -> (&'a T::AccountId, &'a T::AccountId) {
		if a.encode() <= b.encode() {
			(a, b)
		} else {
			(b, a)
		}
	}
}

impl<T: Config> DeviceRegistry<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn owner_of(device: &T::AccountId) -> Option<T::AccountId> {
		Devices::<T>::get(device).map(|d| d.owner)
	}

	fn kind_of(device: &T::AccountId) -> Option<DeviceKind> {
		Devices::<T>::get(device).map(|d| d.kind)
	}

	fn status_of(device: &T::AccountId) -> Option<DeviceStatus> {
		Devices::<T>::get(device).map(|d| d.status)
	}

	fn location_of(device: &T::AccountId) -> Option<Location<BlockNumberFor<T>>> {
		Devices::<T>::get(device).and_then(|d| d.location)
	}

	fn is_edge_denied(a: &T::AccountId, b: &T::AccountId) -> bool {
		let (low, high) = Self::edge_key(a, b);
		DeniedEdges::<T>::contains_key(low, high)
	}
}
