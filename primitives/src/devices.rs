//! What other pallets need from the device registry, as traits the runtime wires: who owns
//! a device and where it is (`DeviceRegistry`), the one device-signed report mechanism
//! (`DeviceReports`), and a hook for location changes (`OnLocationChanged`).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchError, ModuleError, Weight,
};
use scale_info::TypeInfo;

/// The kinds of devices Assay knows.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum DeviceKind {
	/// A radio hotspot (proof of coverage).
	Hotspot,
	/// An environmental or other sensor.
	Sensor,
	/// An energy meter (energy market).
	EnergyMeter,
	/// An electric-vehicle charger.
	EvCharger,
	/// A drone.
	Drone,
	/// A compute node (GPU box).
	ComputeNode,
}

/// Whether a device may take part.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum DeviceStatus {
	/// Takes part normally.
	Active,
	/// Temporarily barred by governance; reports are refused.
	Suspended,
	/// Banned by governance: no reports, no transfer, no deregistration (its deposit stays).
	Denied,
}

/// An asserted location: an H3 cell at resolution 12 with antenna gain and elevation.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct Location<BlockNumber> {
	/// H3 cell index (resolution 12).
	pub cell: u64,
	/// Antenna gain in tenths of dBi.
	pub gain_dbi_x10: i16,
	/// Elevation above ground in metres.
	pub elevation_m: i16,
	/// When it was asserted.
	pub asserted_at: BlockNumber,
}

/// Why a device-signed report was refused. Each maps to a transaction-pool rejection, so
/// a refused report never enters a block.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ReportRejection {
	/// No device with this id is registered.
	UnknownDevice,
	/// The device is Suspended or Denied.
	DeviceNotActive,
	/// The nonce was already used (or is older than the next expected one).
	StaleNonce,
	/// The device already has the most reports allowed per block pending or included.
	RateLimited,
	/// The device's signature over (genesis hash, nonce, payload) does not verify.
	BadSignature,
}

impl ReportRejection {
	/// The `Custom` code of this rejection in `InvalidTransaction` (stable numbers; see
	/// the device registry's README).
	pub const fn code(self) -> u8 {
		match self {
			Self::UnknownDevice => 10,
			Self::DeviceNotActive => 11,
			Self::StaleNonce => 12,
			Self::RateLimited => 13,
			Self::BadSignature => 14,
		}
	}
}

impl From<ReportRejection> for InvalidTransaction {
	fn from(r: ReportRejection) -> Self {
		match r {
			ReportRejection::StaleNonce => InvalidTransaction::Stale,
			ReportRejection::BadSignature => InvalidTransaction::BadProof,
			other => InvalidTransaction::Custom(other.code()),
		}
	}
}

/// A device report refused by a pallet's own rule, as the transaction pool says it:
/// `InvalidTransaction::Custom(base + the pallet error's index)`. Each pallet that checks
/// reports in the pool has its own `base`, written in its README.
pub fn pool_rejection(error: DispatchError, base: u8) -> TransactionValidityError {
	let index = match error {
		DispatchError::Module(ModuleError { error, .. }) => error[0],
		_ => 0,
	};
	InvalidTransaction::Custom(base.saturating_add(index)).into()
}

/// Read access to registered devices.
pub trait DeviceRegistry<AccountId, BlockNumber> {
	/// The owner of `device`, if registered.
	fn owner_of(device: &AccountId) -> Option<AccountId>;
	/// The kind of `device`, if registered.
	fn kind_of(device: &AccountId) -> Option<DeviceKind>;
	/// The status of `device`, if registered.
	fn status_of(device: &AccountId) -> Option<DeviceStatus>;
	/// Whether `device` is registered and Active.
	fn is_active(device: &AccountId) -> bool {
		Self::status_of(device) == Some(DeviceStatus::Active)
	}
	/// The asserted location of `device`, if any.
	fn location_of(device: &AccountId) -> Option<Location<BlockNumber>>;
	/// Whether governance denied the pair (in either order) for coverage.
	fn is_edge_denied(a: &AccountId, b: &AccountId) -> bool;
}

/// The one mechanism for feeless device-signed reports. A report is a call that carries
/// `(device, nonce, payload fields, signature)`; the device signs
/// `("assay/report", genesis_hash, nonce, payload)`.
pub trait DeviceReports<AccountId, Signature> {
	/// Checks a report in the transaction pool (and again when a block includes it):
	/// known, Active device; fresh nonce; within the per-block rate limit; valid signature.
	/// `payload` is the SCALE encoding of the report's own fields, with a domain tag.
	fn validate_report(
		device: &AccountId,
		nonce: u64,
		payload: &[u8],
		signature: &Signature,
	) -> Result<ValidTransaction, ReportRejection>;

	/// Consumes a validated report when it is dispatched: advances the device's nonce and
	/// its per-block count. Fails if the nonce is not the next expected one.
	fn consume_report(device: &AccountId, nonce: u64) -> Result<(), DispatchError>;

	/// Checks a report whose replay protection is a unique key in the calling pallet's own
	/// storage (a witness report per (beacon, witness)), so it needs no nonce and writes
	/// nothing: known, Active device and a valid signature over
	/// `("assay/unique-report", genesis_hash, payload)`. The caller must refuse a second
	/// report under the same key.
	fn validate_unique_report(
		device: &AccountId,
		payload: &[u8],
		signature: &Signature,
	) -> Result<(), ReportRejection>;
}

/// Called when a device asserts a (new) location, or leaves with one. The registry adds
/// [`OnLocationChanged::weight`] to the weight of the calls that call it.
pub trait OnLocationChanged<AccountId, BlockNumber> {
	/// `device` moved from `old` (None: first assertion) to `new`.
	fn on_location_changed(
		device: &AccountId,
		old: Option<Location<BlockNumber>>,
		new: &Location<BlockNumber>,
	);

	/// `device`, last at `old`, was deregistered.
	fn on_location_removed(_device: &AccountId, _old: &Location<BlockNumber>) {}

	/// The most either hook costs.
	fn weight() -> Weight {
		Weight::zero()
	}
}

impl<AccountId, BlockNumber> OnLocationChanged<AccountId, BlockNumber> for () {
	fn on_location_changed(
		_: &AccountId,
		_: Option<Location<BlockNumber>>,
		_: &Location<BlockNumber>,
	) {
	}
}
