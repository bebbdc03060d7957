//! Types stored by the device registry.

use assay_primitives::{DeviceKind, DeviceStatus, Location};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{frame_support::BoundedVec, sp_core::Get, sp_runtime::AccountId32};
use scale_info::TypeInfo;

/// A maker's id, chosen by governance.
pub type MakerId = u32;

/// An allowed maker.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxNameLen))]
pub struct MakerInfo<MaxNameLen: Get<u32>> {
	/// Display name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// The account of the key the maker signs attestations with (sr25519, ed25519 or
	/// ecdsa: a `MultiSignature` verifies against it).
	pub signer: AccountId32,
}

/// A device's report bookkeeping, in one storage item so that consuming a report costs
/// one read and one write.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct ReportState<BlockNumber> {
	/// The nonce the device's next report must carry (starts at 0).
	pub next_nonce: u64,
	/// The block that included the device's last report ("last seen").
	pub last_seen: Option<BlockNumber>,
	/// How many of its reports that block included.
	pub in_block: u32,
}

/// A registered device.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct DeviceInfo<AccountId, Balance, BlockNumber> {
	/// Who owns it.
	pub owner: AccountId,
	/// What it is.
	pub kind: DeviceKind,
	/// The maker that attested it.
	pub maker: MakerId,
	/// Where it is, once asserted.
	pub location: Option<Location<BlockNumber>>,
	/// Whether it may take part.
	pub status: DeviceStatus,
	/// When it was registered.
	pub registered_at: BlockNumber,
	/// The deposit held from the owner.
	pub deposit: Balance,
}
