//! # pallet-device-registry
//!
//! Device identity for Assay. A device is identified by its own key pair: its `DeviceId` is
//! the account of its `MultiSigner` (sr25519, ed25519 or ecdsa), so it shows in
//! Polkadot.js as an ordinary address.
//!
//! - Governance keeps an allow-list of **makers**; a maker attests each device it built by
//!   signing `("assay/maker-attest", device_id, kind)`.
//! - An owner **registers** a device with the maker's attestation and the device's own
//!   signature over `("assay/register", genesis_hash, owner, kind)`, so nobody can register
//!   a key they don't hold, or replay a registration for another owner or chain. A
//!   refundable deposit, sized per byte stored, is held from the owner.
//! - The owner **asserts a location** (an H3 cell at resolution 12, antenna gain,
//!   elevation) for a fee, at most once per `LocationCooldown` blocks; other pallets hear
//!   of it through `OnLocationChanged`.
//! - **Device-signed reports**: devices hold no funds. Their reports are feeless general
//!   transactions authorized by the device's signature over `("assay/report",
//!   genesis_hash, nonce, payload)`, checked in the transaction pool (bad signature, stale
//!   nonce, unknown or inactive device, rate limit). The mechanism lives here once
//!   (`DeviceReports`) and `heartbeat` is its first user.
//!
//! Reads are the runtime API `DeviceRegistryApi` (`device(id)`, `devices_of(owner)`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

pub mod cells;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
#[cfg(any(feature = "runtime-benchmarks", feature = "test-utils"))]
pub mod keystore_devices;
mod registry_impls;
mod reports_impls;
pub mod runtime_api;
#[cfg(feature = "test-utils")]
pub mod testing;
pub mod types;
mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// What benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Gives `who` enough free balance for deposits and fees.
	fn fund(who: &AccountId);
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use assay_primitives::{DeviceClaims, DeviceKind, DeviceStatus, OnLocationChanged};
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::fungible::{Inspect, Mutate, MutateHold},
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::{AccountId32, MultiSignature, MultiSigner},
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The balance type of the currency deposits are held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A registered device's record.
	pub type DeviceOf<T> =
		DeviceInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// Configuration of the device registry. Accounts convert to and from `AccountId32`
	/// because a device's id is the account of its own key.
	#[pallet::config]
	#[pallet::disable_frame_system_supertrait_check]
	pub trait Config:
		frame_system::Config<AccountId: From<AccountId32> + Into<AccountId32>>
	{
		/// The currency deposits are held in and fees paid with.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who manages makers, device statuses and the edge denylist (root for now).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The fixed part of a device's deposit.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;
		/// The deposit per byte a device's record takes in storage.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;
		/// The fee for asserting a location (burned).
		#[pallet::constant]
		type LocationFee: Get<BalanceOf<Self>>;
		/// The fewest blocks between two location assertions of one device.
		#[pallet::constant]
		type LocationCooldown: Get<BlockNumberFor<Self>>;
		/// The most reports one device may have included per block, and pending in the pool.
		#[pallet::constant]
		type MaxReportsPerBlock: Get<u32>;
		/// The share of a block's normal dispatch weight that feeless device reports may
		/// fill: once the block's normal weight reaches it, reports wait for a later block,
		/// so the rest is always there for fee-paying transactions.
		#[pallet::constant]
		type ReportShare: Get<polkadot_sdk::sp_runtime::Perbill>;
		/// The longest maker name, in bytes.
		#[pallet::constant]
		type MaxMakerNameLen: Get<u32>;
		/// Told when a device asserts a location.
		type OnLocationChanged: OnLocationChanged<Self::AccountId, BlockNumberFor<Self>>;
		/// What other pallets hold against a device (an energy meter's open position or
		/// debt): asked before a transfer or a deregistration, told after a deregistration.
		type DeviceClaims: DeviceClaims<Self::AccountId>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
		/// Prepares accounts for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Why funds are held by this pallet.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The refundable deposit of a registered device.
		DeviceDeposit,
	}

	/// Registered devices, by device id.
	#[pallet::storage]
	pub type Devices<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DeviceOf<T>>;

	/// Transfers offered and not yet accepted: device → the account it is offered to. The
	/// deposit moves only when that account accepts (`accept_device`).
	#[pallet::storage]
	pub type TransferOffers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// The devices of each owner (owner, device) → ().
	#[pallet::storage]
	pub type DevicesByOwner<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// Allowed makers, by maker id.
	#[pallet::storage]
	pub type Makers<T: Config> =
		StorageMap<_, Twox64Concat, MakerId, MakerInfo<T::MaxMakerNameLen>>;

	/// How many times each device has been registered. Its consent signs this count, so a
	/// consent registers the device once: after a deregistration, an old consent no
	/// longer verifies. Kept across deregistration.
	#[pallet::storage]
	pub type Registrations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each device's report bookkeeping: next nonce, the block of its last report ("last
	/// seen") and how many reports that block included.
	#[pallet::storage]
	pub type Reports<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ReportState<BlockNumberFor<T>>, ValueQuery>;

	/// Pairs of devices governance denied as coverage partners, stored in (lower, higher)
	/// order.
	#[pallet::storage]
	pub type DeniedEdges<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// Events of the device registry.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A maker was allowed.
		MakerAdded {
			/// Its id.
			maker: MakerId,
		},
		/// A maker was removed; its devices stay registered.
		MakerRemoved {
			/// Its id.
			maker: MakerId,
		},
		/// A device was registered.
		DeviceRegistered {
			/// The device.
			device: T::AccountId,
			/// Its owner.
			owner: T::AccountId,
			/// Its kind.
			kind: DeviceKind,
			/// The maker that attested it.
			maker: MakerId,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A device asserted a location.
		LocationAsserted {
			/// The device.
			device: T::AccountId,
			/// The H3 cell (resolution 12).
			cell: u64,
			/// Antenna gain, tenths of dBi.
			gain_dbi_x10: i16,
			/// Elevation, metres.
			elevation_m: i16,
			/// The fee charged.
			fee: BalanceOf<T>,
		},
		/// The owner offered the device to another account, which may accept it.
		TransferOffered {
			/// The device.
			device: T::AccountId,
			/// The owner.
			from: T::AccountId,
			/// The account it is offered to.
			to: T::AccountId,
		},
		/// The owner withdrew its offer.
		TransferCancelled {
			/// The device.
			device: T::AccountId,
		},
		/// A device changed owner; the deposit moved with it.
		DeviceTransferred {
			/// The device.
			device: T::AccountId,
			/// The previous owner.
			from: T::AccountId,
			/// The new owner.
			to: T::AccountId,
		},
		/// A device was deregistered and its deposit returned.
		DeviceDeregistered {
			/// The device.
			device: T::AccountId,
			/// Its owner.
			owner: T::AccountId,
			/// The deposit released.
			deposit: BalanceOf<T>,
		},
		/// Governance changed a device's status.
		DeviceStatusChanged {
			/// The device.
			device: T::AccountId,
			/// Its new status.
			status: DeviceStatus,
		},
		/// Governance denied a pair of devices as coverage partners.
		EdgeDenied {
			/// One device.
			a: T::AccountId,
			/// The other.
			b: T::AccountId,
		},
		/// Governance allowed a pair of devices again.
		EdgeAllowed {
			/// One device.
			a: T::AccountId,
			/// The other.
			b: T::AccountId,
		},
		/// A device reported it is alive.
		Heartbeat {
			/// The device.
			device: T::AccountId,
			/// The report's nonce.
			nonce: u64,
		},
	}

	/// Why a device-registry call was refused.
	#[pallet::error]
	pub enum Error<T> {
		/// A maker with this id already exists.
		MakerExists,
		/// No maker with this id is allowed.
		UnknownMaker,
		/// The maker's attestation does not verify against its signing key.
		BadMakerSignature,
		/// The device's registration signature does not verify (wrong key, owner, kind,
		/// chain, or registration count: a consent registers a device once).
		BadDeviceSignature,
		/// This device is already registered.
		DeviceExists,
		/// No device with this id is registered.
		UnknownDevice,
		/// Only the device's owner may do this.
		NotOwner,
		/// The device is Denied: it can no longer be used, moved or deregistered.
		DeviceDenied,
		/// The cell is not a valid H3 cell index.
		InvalidCell,
		/// The cell is valid but not at resolution 12.
		WrongCellResolution,
		/// The device asserted a location less than `LocationCooldown` blocks ago.
		LocationCooldown,
		/// The owner cannot pay the deposit or fee.
		InsufficientBalance,
		/// The device is already owned by this account.
		SameOwner,
		/// An edge needs two different devices.
		SameDevice,
		/// The report's nonce is not the next expected one.
		BadNonce,
		/// The device is Suspended: it cannot be deregistered until governance lifts the
		/// suspension (registering it again would clear it).
		DeviceSuspended,
		/// The device is not offered to the caller.
		NoTransferOffer,
	}

	/// Genesis: the makers allowed from the start (development chains allow the
	/// "Assay Development Maker", key `//DevMaker`).
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// (id, name, signing key) of each maker.
		pub makers: alloc::vec::Vec<(MakerId, alloc::vec::Vec<u8>, MultiSigner)>,
		#[serde(skip)]
		/// Unused.
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (id, name, signer) in &self.makers {
				match BoundedVec::try_from(name.clone()) {
					Ok(name) => Makers::<T>::insert(
						id,
						MakerInfo {
							name,
							signer: polkadot_sdk::sp_runtime::traits::IdentifyAccount::into_account(
								signer.clone(),
							),
						},
					),
					Err(_) => {
						log::error!(target: "runtime::device-registry", "genesis maker {id}: name too long, skipped")
					},
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Allows a maker: `id`, a display `name`, and the key it signs attestations with.
		/// Admin origin only.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_maker())]
		pub fn add_maker(
			origin: OriginFor<T>,
			id: MakerId,
			name: BoundedVec<u8, T::MaxMakerNameLen>,
			signer: MultiSigner,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_maker(id, name, signer)
		}

		/// Removes a maker; devices it attested stay registered. Admin origin only.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_maker())]
		pub fn remove_maker(origin: OriginFor<T>, id: MakerId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_maker(id)
		}

		/// Registers `device` to the caller. `maker_signature`: the maker's signature over
		/// `("assay/maker-attest", device_id, kind)`; `device_signature`: the device's over
		/// `("assay/register", genesis_hash, owner, kind, registrations)`, `registrations`
		/// being how many times it was registered before (`Registrations`, 0 for a new
		/// device). Holds a refundable deposit.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_device())]
		pub fn register_device(
			origin: OriginFor<T>,
			device: MultiSigner,
			kind: DeviceKind,
			maker_id: MakerId,
			maker_signature: MultiSignature,
			device_signature: MultiSignature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register_device(
				owner,
				device,
				kind,
				maker_id,
				maker_signature,
				device_signature,
			)
		}

		/// Asserts the device's location: an H3 cell at resolution 12, antenna gain in
		/// tenths of dBi and elevation in metres. Charges `LocationFee`; at most once per
		/// `LocationCooldown` blocks. Owner only.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::assert_location().saturating_add(T::OnLocationChanged::weight()))]
		pub fn assert_location(
			origin: OriginFor<T>,
			device: T::AccountId,
			cell: u64,
			gain_dbi_x10: i16,
			elevation_m: i16,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_assert_location(owner, device, cell, gain_dbi_x10, elevation_m)
		}

		/// Offers the device to `new_owner`, who takes it with `accept_device`; until then
		/// nothing moves (a deposit is never held from an account that did not agree). A
		/// new offer replaces the previous one. Owner only; refused while another pallet
		/// holds a claim on the device (an energy meter's open position or debt).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::transfer_device().saturating_add(T::DeviceClaims::weight()))]
		pub fn transfer_device(
			origin: OriginFor<T>,
			device: T::AccountId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_transfer_device(owner, device, new_owner)
		}

		/// Deregisters the device and returns its deposit. Owner only; not for Suspended or
		/// Denied devices, nor while another pallet holds a claim on the device (an energy
		/// meter's open position or debt). Its report nonce is kept, so reports it signed
		/// before cannot be replayed if it is registered again.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deregister_device()
			.saturating_add(T::OnLocationChanged::weight())
			.saturating_add(T::DeviceClaims::weight()))]
		pub fn deregister_device(origin: OriginFor<T>, device: T::AccountId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_deregister_device(owner, device)
		}

		/// Sets a device's status (Active, Suspended, Denied). Admin origin only.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_device_status())]
		pub fn set_device_status(
			origin: OriginFor<T>,
			device: T::AccountId,
			status: DeviceStatus,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_device_status(device, status)
		}

		/// Denies the pair (a, b) as coverage partners. Admin origin only.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::deny_edge())]
		pub fn deny_edge(origin: OriginFor<T>, a: T::AccountId, b: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_edge(a, b, true)
		}

		/// Allows the pair (a, b) again. Admin origin only.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::allow_edge())]
		pub fn allow_edge(
			origin: OriginFor<T>,
			a: T::AccountId,
			b: T::AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_edge(a, b, false)
		}

		/// A device-signed, feeless heartbeat: the device is seen alive (its last-seen
		/// block is recorded, as for every report).
		/// `signature` is the device's over `("assay/report", genesis_hash, nonce,
		/// ("assay/heartbeat", device))`. Submitted as a general (unsigned) transaction.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		#[pallet::authorize(|source, device, nonce, signature| {
			Pallet::<T>::authorize_report(device, *nonce, &assay_wire::devices::heartbeat_payload(device), signature, source)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_heartbeat())]
		pub fn heartbeat(
			origin: OriginFor<T>,
			device: T::AccountId,
			nonce: u64,
			signature: MultiSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let _ = signature;
			Self::do_heartbeat(device, nonce)
		}

		/// Accepts a device offered to the caller: the caller becomes its owner, its deposit
		/// is held from the caller and returned to the previous owner. Refused while another
		/// pallet holds a claim on the device, or if it is Denied.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::accept_device().saturating_add(T::DeviceClaims::weight()))]
		pub fn accept_device(origin: OriginFor<T>, device: T::AccountId) -> DispatchResult {
			let new_owner = ensure_signed(origin)?;
			Self::do_accept_device(new_owner, device)
		}

		/// Withdraws the owner's offer of the device.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, device: T::AccountId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_cancel_transfer(owner, device)
		}
	}
}
