//! What other pallets need from the device registry, as traits the runtime wires: who owns
//! a device and where it is (`DeviceRegistry`), the one device-signed report mechanism
//! (`DeviceReports`), and a hook for location changes (`OnLocationChanged`).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	DispatchError, ModuleError, Weight,
};
use scale_info::TypeInfo;

/// The kinds of devices Assay knows (their SCALE indices are part of what makers and
/// devices sign, so the type lives in `assay-wire`).
pub use assay_wire::DeviceKind;

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
	/// This block's share for feeless reports is used up; the report waits in the pool for
	/// a later block (`InvalidTransaction::ExhaustsResources`).
	NoRoom,
	/// A block may include only the device's next nonce; a report further ahead waits in
	/// the pool for its turn (`InvalidTransaction::Future`).
	FutureNonce,
}

impl ReportRejection {
	/// The `Custom` code of this rejection in `InvalidTransaction` (stable numbers, in
	/// `assay_wire::pool::registry`).
	pub const fn code(self) -> u8 {
		use assay_wire::pool::registry;
		match self {
			Self::UnknownDevice => registry::UNKNOWN_DEVICE,
			Self::DeviceNotActive => registry::DEVICE_NOT_ACTIVE,
			Self::StaleNonce => registry::STALE_NONCE,
			Self::RateLimited => registry::RATE_LIMITED,
			Self::BadSignature => registry::BAD_SIGNATURE,
			Self::NoRoom => registry::NO_ROOM,
			Self::FutureNonce => registry::FUTURE_NONCE,
		}
	}
}

impl From<ReportRejection> for InvalidTransaction {
	fn from(r: ReportRejection) -> Self {
		match r {
			ReportRejection::StaleNonce => InvalidTransaction::Stale,
			ReportRejection::BadSignature => InvalidTransaction::BadProof,
			ReportRejection::NoRoom => InvalidTransaction::ExhaustsResources,
			ReportRejection::FutureNonce => InvalidTransaction::Future,
			other => InvalidTransaction::Custom(other.code()),
		}
	}
}

impl From<ReportRejection> for TransactionValidityError {
	fn from(r: ReportRejection) -> Self {
		TransactionValidityError::Invalid(r.into())
	}
}

/// A device report refused by a pallet's own rule, as the transaction pool says it:
/// `InvalidTransaction::Custom(base + the pallet error's index)`, with the pallet's base
/// from `assay_wire::pool::base`.
pub fn pool_rejection(error: DispatchError, base: u8) -> TransactionValidityError {
	let index = match error {
		DispatchError::Module(ModuleError { error, .. }) => error[0],
		_ => 0,
	};
	InvalidTransaction::Custom(assay_wire::pool::code(base, index)).into()
}

/// How the transaction pool holds device reports: one priority for every report, and the
/// tags that order a device's nonce reports and keep unique reports unique.
///
/// The rule for what is checked where: a report's `authorize` runs every check, in the
/// pool and again when a block applies the report —
/// immediately before its dispatch, against the block's state so far. So a refused report
/// never takes block space, and the call itself need re-check nothing; what it writes it
/// writes through guards that cannot double-spend (`consume_report` takes only the next
/// nonce; a unique report's key is written once).
pub mod pool {
	use super::*;
	use alloc::vec;

	/// The validity of a nonce report of `device`: provides its `(device, nonce)` tag and,
	/// when ahead of the `expected` nonce, requires the previous one's.
	pub fn nonce_report<AccountId: Encode>(
		device: &AccountId,
		nonce: u64,
		expected: u64,
	) -> ValidTransaction {
		let tag = |n: u64| assay_wire::devices::report_pool_tag(device, n);
		let requires = if nonce > expected { vec![tag(nonce.saturating_sub(1))] } else { vec![] };
		ValidTransaction {
			priority: assay_wire::pool::REPORT_PRIORITY,
			requires,
			provides: vec![tag(nonce)],
			longevity: assay_wire::pool::REPORT_LONGEVITY,
			propagate: true,
		}
	}

	/// The validity of a report kept unique by `tag` in the calling pallet's storage,
	/// valid for `longevity` blocks.
	pub fn unique_report(tag: alloc::vec::Vec<u8>, longevity: u64) -> ValidTransaction {
		ValidTransaction {
			priority: assay_wire::pool::REPORT_PRIORITY,
			requires: vec![],
			provides: vec![tag],
			longevity,
			propagate: true,
		}
	}
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
	/// known, Active device; fresh nonce (in a block, `source` `InBlock`: exactly the next
	/// one, so a report a block includes always takes effect); within the per-block rate
	/// limit; valid signature. `payload` is the SCALE encoding of the report's own fields,
	/// with a domain tag.
	fn validate_report(
		device: &AccountId,
		nonce: u64,
		payload: &[u8],
		signature: &Signature,
		source: TransactionSource,
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

	/// The device part of [`Self::validate_unique_report`] without the feeless share of the
	/// block: for a report that a paying transaction carries (a relay's batch), whose block
	/// space its sender pays for.
	fn check_unique_report_signer(
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

/// What other pallets hold against a device. The registry asks before the device changes
/// owner or leaves, so a claim (an open market position, a debt) cannot be escaped by
/// handing the device to a fresh account or by deregistering it; and it says when the
/// device has left, so the claimant can drop what it kept for it.
pub trait DeviceClaims<AccountId> {
	/// `Ok` if `device` may change owner or be deregistered now; otherwise the claimant's
	/// error, which the registry's call returns unchanged.
	fn ensure_releasable(device: &AccountId) -> Result<(), DispatchError>;

	/// `device` was deregistered (after [`DeviceClaims::ensure_releasable`] allowed it).
	fn on_deregistered(_device: &AccountId) {}

	/// The most both hooks cost together.
	fn weight() -> Weight {
		Weight::zero()
	}
}

impl<AccountId> DeviceClaims<AccountId> for () {
	fn ensure_releasable(_: &AccountId) -> Result<(), DispatchError> {
		Ok(())
	}
}
